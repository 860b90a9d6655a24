// Package esx is strata's vSphere provider: each machine is a virtual
// machine cloned from a template (one imported with ore esx upload-ova,
// or any VM or template named by --esx-template) into the datacenter,
// resource pool, datastore, folder and network the flags name, given
// the userdata and the flight's key through guestinfo (Ignition's
// guestinfo.ignition.config.data, cloud-init's guestinfo.userdata and
// guestinfo.metadata), powered on, and reached at the address its guest
// reports. Machines are marked by their annotation (created by strata,
// when, and the flight/cluster/machine path), which GC reads. The
// console is a serial port written to a datastore file where the host
// allows it. Only the api package talks to govmomi; vcsim runs govmomi's
// own vCenter simulator the way strata's tests and ore esx simulate use
// it.
package esx

import (
	"context"
	"time"

	"github.com/strata-os/strata/core/platform"
)

// Flags are kola's --esx-* flags.
type Flags struct {
	Account      `embed:""`
	Template     string        `name:"esx-template" env:"GOVC_VM" placeholder:"NAME|PATH" help:"Virtual machine or template to clone, such as one imported with ore esx upload-ova."`
	ResourcePool string        `name:"esx-resource-pool" env:"GOVC_RESOURCE_POOL" placeholder:"PATH" help:"Resource pool (default: the datacenter's only one)."`
	Datastore    string        `name:"esx-datastore" env:"GOVC_DATASTORE" placeholder:"NAME" help:"Datastore for the machines' disks and consoles (default: the only one)."`
	Folder       string        `name:"esx-folder" env:"GOVC_FOLDER" placeholder:"PATH" help:"VM folder (default: the datacenter's)."`
	Network      string        `name:"esx-network" env:"GOVC_NETWORK" placeholder:"NAME" help:"Network for the machines' first card (default: the template's)."`
	NoConsole    bool          `name:"esx-no-console" help:"Give machines no serial port (each gets one written to a datastore file, for console.txt, unless the host refuses file-backed ports)."`
	BootTimeout  time.Duration `name:"esx-boot-timeout" default:"10m" help:"How long a machine may take to report an address and answer SSH."`
}

var flags = &Flags{}

func init() {
	platform.Register(platform.Provider{
		Name:        "esx",
		Description: "VMware vSphere virtual machines (vCenter or ESXi)",
		Flags:       flags,
		NewFlight: func(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
			return NewFlight(ctx, *flags, opts)
		},
		RemoveKept: RemoveKept,
		SDK:        "github.com/vmware/govmomi",
	})
}

// validate checks the flags before any call, naming the flag at fault.
func (f *Flags) validate() error {
	switch {
	case f.Template == "":
		return platform.Usagef("esx: --esx-template is required (the VM or template to clone)")
	case f.BootTimeout <= 0:
		return platform.Usagef("esx: --esx-boot-timeout must be positive")
	}
	return f.Account.validate()
}
