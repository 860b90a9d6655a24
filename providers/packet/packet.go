// Package packet is strata's Equinix Metal ("Packet") provider, kept for
// API-compatible deployments and for parity with mantle: Equinix shut the
// public Metal service down on 2026-06-30. Each machine is a device
// booted by iPXE (custom_ipxe, from the script at --packet-ipxe-url) or
// from one of the API's operating systems, with the userdata, tagged as
// strata's, the flight's, its cluster's and its own (so a create whose
// caller gave up is still found and deleted with its cluster), and the
// flight's key as a project SSH key deleted with the flight. The console
// is the device's serial-over-SSH (SOS) console where it is reachable.
// Only the api package talks to packngo; sim is an in-process Metal API
// for tests.
package packet

import (
	"context"
	"net/url"
	"regexp"
	"time"

	"github.com/strata-os/strata/core/platform"
)

// Flags are kola's --packet-* flags.
type Flags struct {
	Account     `embed:""`
	Plan        string        `name:"packet-plan" default:"c3.small.x86" help:"Device plan."`
	Metro       string        `name:"packet-metro" default:"sv" help:"Metro the devices are made in."`
	OS          string        `name:"packet-os" default:"custom_ipxe" help:"Operating system slug; custom_ipxe boots the script at --packet-ipxe-url."`
	IPXEURL     string        `name:"packet-ipxe-url" placeholder:"URL" help:"iPXE script the devices boot (with custom_ipxe); it names the kernel and initrd to fetch, served where the devices reach them."`
	BootTimeout time.Duration `name:"packet-boot-timeout" default:"20m" help:"How long a device may take to be active and answer SSH."`
}

var flags = &Flags{}

func init() {
	platform.Register(platform.Provider{
		Name:        "packet",
		Description: "Equinix Metal devices (the public service shut down on 2026-06-30; for API-compatible deployments)",
		Flags:       flags,
		NewFlight: func(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
			return NewFlight(ctx, *flags, opts)
		},
		RemoveKept: RemoveKept,
		SDK:        "github.com/packethost/packngo",
	})
}

var slug = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// validate checks the flags before any call, naming the flag at fault.
func (f *Flags) validate() error {
	switch {
	case !slug.MatchString(f.Plan):
		return platform.Usagef("packet: --packet-plan %q is not a plan slug (like c3.small.x86)", f.Plan)
	case !slug.MatchString(f.Metro):
		return platform.Usagef("packet: --packet-metro %q is not a metro code (like sv)", f.Metro)
	case !slug.MatchString(f.OS):
		return platform.Usagef("packet: --packet-os %q is not an operating system slug", f.OS)
	case f.OS == "custom_ipxe" && f.IPXEURL == "":
		return platform.Usagef("packet: --packet-ipxe-url is required with --packet-os custom_ipxe (the default)")
	case f.BootTimeout <= 0:
		return platform.Usagef("packet: --packet-boot-timeout must be positive")
	}
	if f.IPXEURL != "" {
		if u, err := url.Parse(f.IPXEURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return platform.Usagef("packet: --packet-ipxe-url %q is not an http(s) URL", f.IPXEURL)
		}
	}
	return f.Account.validate()
}
