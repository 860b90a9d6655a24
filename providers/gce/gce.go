// Package gce is strata's Google Compute Engine provider: machines are
// instances booted from an image, labelled created-by=strata so `ore gce
// gc` finds what a killed run left. The flight's SSH key goes in through
// the instance's ssh-keys metadata and the userdata; userdata through the
// user-data metadata key. Only the api package talks to Google's API
// client; sim is an in-process Compute Engine and Cloud Storage for tests.
package gce

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/api"
)

// Account says which project and zone to use, and how to reach them: the
// flags kola and ore share.
type Account struct {
	Project         string `name:"gce-project" placeholder:"ID" help:"Project (default: the credentials' project_id)."`
	Zone            string `name:"gce-zone" default:"us-central1-a" help:"Zone."`
	CredentialsFile string `name:"gce-json-key" type:"path" placeholder:"PATH" help:"Service account key or authorized user JSON file (default: GOOGLE_APPLICATION_CREDENTIALS, then application default credentials)."`
	Endpoint        string `name:"gce-endpoint" placeholder:"URL" help:"Endpoint instead of Google's, serving /compute/v1/ and /storage/v1/ (e.g. a simulator from ore gce simulate); without --gce-json-key it is called without credentials."`
}

var zoneName = regexp.MustCompile(`^[a-z]+-[a-z]+[0-9]+-[a-z]$`)

// Connect checks the account's flags and credentials and returns a client.
// It makes no call.
func Connect(ctx context.Context, a Account, log *slog.Logger, tune func(*api.Options)) (*api.Client, error) {
	if !zoneName.MatchString(a.Zone) {
		return nil, platform.Usagef("gce: --gce-zone %q is not a zone name (like us-central1-a)", a.Zone)
	}
	if a.Endpoint != "" {
		// Google's client panics on some malformed endpoints.
		u, err := url.Parse(a.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, platform.Usagef("gce: --gce-endpoint %q is not an http(s) URL", a.Endpoint)
		}
	}
	creds, err := loadCredentials(a.CredentialsFile, a.Endpoint != "", log)
	if err != nil {
		return nil, platform.Usage(fmt.Errorf("gce: %w", err)) // the user's file, not the cloud
	}
	project := a.Project
	if project == "" && creds != nil {
		project = creds.project
	}
	if project == "" {
		return nil, platform.Usagef("gce: no project: pass --gce-project (the credentials name none)")
	}
	o := api.Options{Project: project, Zone: a.Zone, Endpoint: a.Endpoint, Logger: log}
	if creds != nil {
		o.CredentialsJSON, o.CredentialsType = creds.json, creds.kind
	}
	if tune != nil {
		tune(&o)
	}
	c, err := api.New(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("gce: %w", err)
	}
	return c, nil
}

// Flags are kola's --gce-* flags.
type Flags struct {
	Account     `embed:""`
	Image       string        `name:"gce-image" placeholder:"NAME|PROJECT/FAMILY" help:"Image to boot: an image name in the project, PROJECT/FAMILY for the newest image of a family (e.g. kinvolk-public/flatcar-stable), or a projects/…/global/images/… URL."`
	MachineType string        `name:"gce-machinetype" default:"e2-medium" help:"Machine type."`
	Network     string        `name:"gce-network" default:"default" help:"Network of the machines (must allow SSH from here)."`
	DiskSizeGB  int64         `name:"gce-disk-size" placeholder:"GB" help:"Boot disk size (default: the image's)."`
	BootTimeout time.Duration `name:"gce-boot-timeout" default:"10m" help:"How long a machine may take to run and answer SSH."`
}

var flags = &Flags{}

func init() {
	platform.Register(platform.Provider{
		Name:        "gce",
		Description: "Google Compute Engine instances",
		Flags:       flags,
		NewFlight: func(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
			return NewFlight(ctx, *flags, opts)
		},
		RemoveKept: RemoveKept,
		SDK:        "google.golang.org/api",
	})
}

var (
	imageURL     = regexp.MustCompile(`^(https://www\.googleapis\.com/compute/v1/)?projects/[a-z][-a-z0-9.:]*/global/images/(family/)?[a-z][-a-z0-9]*$`)
	familyRef    = regexp.MustCompile(`^([a-z][-a-z0-9.:]*)/([a-z][-a-z0-9]*)$`)
	resourceName = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
)

// validate checks the flags before any API call, naming the flag at fault.
func (f *Flags) validate() error {
	switch {
	case f.Image == "":
		return platform.Usagef("gce: --gce-image is required (an image name, PROJECT/FAMILY, or an image URL)")
	case !resourceName.MatchString(f.Image) && !familyRef.MatchString(f.Image) && !imageURL.MatchString(f.Image):
		return platform.Usagef("gce: --gce-image %q is neither an image name, PROJECT/FAMILY nor a projects/…/global/images/… URL", f.Image)
	case !resourceName.MatchString(f.MachineType):
		return platform.Usagef("gce: --gce-machinetype %q is not a machine type name", f.MachineType)
	case !resourceName.MatchString(f.Network):
		return platform.Usagef("gce: --gce-network %q is not a network name", f.Network)
	case f.DiskSizeGB < 0:
		return platform.Usagef("gce: --gce-disk-size must not be negative")
	case f.BootTimeout <= 0:
		return platform.Usagef("gce: --gce-boot-timeout must be positive")
	}
	return nil
}
