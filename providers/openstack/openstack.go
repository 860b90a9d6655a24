// Package openstack is strata's OpenStack provider: each machine is a
// Nova server booted on a Neutron port of its own (in the flight's
// security group, which lets SSH in), with a floating IP from
// --os-floating-ip-pool when one is given, the flight's key as a Nova
// key pair, and the userdata (on a config drive too with
// --os-config-drive). Everything strata makes is marked — servers by
// metadata, ports and floating IPs by description, security groups and
// key pairs by name — with a path of flight, cluster and machine, so a
// create whose caller gave up is still found and deleted with its
// machine, cluster or flight, and GC finds what a killed run left. Only
// the api package talks to gophercloud; sim is an in-process OpenStack
// for tests.
package openstack

import (
	"context"
	"time"

	"github.com/strata-os/strata/core/platform"
)

// Flags are kola's --os-* flags.
type Flags struct {
	Account        `embed:""`
	Flavor         string        `name:"os-flavor" default:"m1.small" help:"Flavor (name or ID)."`
	Image          string        `name:"os-image" placeholder:"NAME|ID" help:"Image to boot (Glance name or ID), such as one made with ore openstack create-image."`
	Network        string        `name:"os-network" placeholder:"NAME|ID" help:"Network for the machines' ports (default: the project's only network that is not external)."`
	FloatingIPPool string        `name:"os-floating-ip-pool" placeholder:"NETWORK" help:"External network to give each machine a floating IP from (default: none; the machines are reached at their fixed addresses)."`
	ConfigDrive    bool          `name:"os-config-drive" help:"Give the userdata on a config drive as well as through the metadata service."`
	BootTimeout    time.Duration `name:"os-boot-timeout" default:"10m" help:"How long a server may take to be ACTIVE and answer SSH."`
}

var flags = &Flags{}

func init() {
	platform.Register(platform.Provider{
		Name:        "openstack",
		Description: "OpenStack (Nova servers on Neutron ports)",
		Flags:       flags,
		NewFlight: func(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
			return NewFlight(ctx, *flags, opts)
		},
		RemoveKept: RemoveKept,
		SDK:        "github.com/gophercloud/gophercloud/v2",
	})
}

// validate checks the flags before any call, naming the flag at fault.
func (f *Flags) validate() error {
	switch {
	case f.Image == "":
		return platform.Usagef("openstack: --os-image is required (a Glance image's name or ID)")
	case f.Flavor == "":
		return platform.Usagef("openstack: --os-flavor must not be empty")
	case f.BootTimeout <= 0:
		return platform.Usagef("openstack: --os-boot-timeout must be positive")
	}
	return f.Account.validate()
}
