// Package do is strata's DigitalOcean provider: each machine is a droplet
// made with the userdata, tagged as strata's, the flight's and its
// cluster's (so a create whose caller gave up is still found and deleted
// with its cluster), with the flight's SSH key added to the account for
// the flight and deleted with it. DigitalOcean has no serial console API;
// a machine's console.txt says so, and the journal comes over SSH as on
// every cloud. Only the api package talks to godo; sim is an in-process
// DigitalOcean API for tests.
package do

import (
	"context"
	"regexp"
	"time"

	"github.com/strata-os/strata/core/platform"
)

// Flags are kola's --do-* flags.
type Flags struct {
	Account     `embed:""`
	Region      string        `name:"do-region" default:"sfo3" help:"Region (slug)."`
	Size        string        `name:"do-size" default:"s-1vcpu-2gb" help:"Droplet size (slug)."`
	Image       string        `name:"do-image" placeholder:"SLUG|ID" help:"Image to boot: a slug (ubuntu-24-04-x64) or the ID of an image, such as a custom image imported with ore do create-image."`
	BootTimeout time.Duration `name:"do-boot-timeout" default:"10m" help:"How long a droplet may take to be active and answer SSH."`
}

var flags = &Flags{}

func init() {
	platform.Register(platform.Provider{
		Name:        "do",
		Description: "DigitalOcean droplets",
		Flags:       flags,
		NewFlight: func(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
			return NewFlight(ctx, *flags, opts)
		},
		RemoveKept: RemoveKept,
		SDK:        "github.com/digitalocean/godo",
	})
}

var slug = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// validate checks the flags before any call, naming the flag at fault.
func (f *Flags) validate() error {
	switch {
	case f.Image == "":
		return platform.Usagef("do: --do-image is required (a slug such as ubuntu-24-04-x64, or an image ID)")
	case !slug.MatchString(f.Image):
		return platform.Usagef("do: --do-image %q is neither a slug nor an image ID", f.Image)
	case !slug.MatchString(f.Region):
		return platform.Usagef("do: --do-region %q is not a region slug (like sfo3)", f.Region)
	case !slug.MatchString(f.Size):
		return platform.Usagef("do: --do-size %q is not a size slug (like s-1vcpu-2gb)", f.Size)
	case f.BootTimeout <= 0:
		return platform.Usagef("do: --do-boot-timeout must be positive")
	}
	return nil
}
