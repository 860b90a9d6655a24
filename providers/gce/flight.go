package gce

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/api"
)

type flight struct {
	*platform.BaseFlight
	flags Flags
	api   *api.Client
	image string // the image's URL
	// distro is the image's distribution when its project is a known
	// distribution's public one.
	distro string
	nonce  string // makes this flight's request IDs its own
}

// NewFlight validates the flags, connects, and checks that the image and
// the network exist.
func NewFlight(ctx context.Context, f Flags, opts platform.FlightOptions) (platform.Flight, error) {
	return newFlight(ctx, f, opts, nil)
}

// newFlight lets tests tune the API client (fast retries).
func newFlight(ctx context.Context, f Flags, opts platform.FlightOptions, tune func(*api.Options)) (platform.Flight, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if opts.Arch != "" && opts.Arch != "amd64" && opts.Arch != "arm64" {
		return nil, platform.Usagef("gce: architecture %s is not supported (amd64, arm64)", opts.Arch)
	}
	base, err := platform.NewBaseFlight("gce", opts)
	if err != nil {
		return nil, err
	}
	client, err := Connect(ctx, f.Account, base.Logger(), tune)
	if err != nil {
		return nil, err
	}
	img, err := resolveImage(ctx, client, f.Image)
	if err != nil {
		err = fmt.Errorf("gce: --gce-image %q: %w", f.Image, err)
		if api.IsNotFound(err) {
			err = platform.Usage(err) // a name the user gave
		}
		return nil, err
	}
	if img.Status != "READY" {
		return nil, fmt.Errorf("gce: --gce-image %q: image %s is %s, not READY", f.Image, img.Name, img.Status)
	}
	if err := client.Network(ctx, f.Network); err != nil {
		err = fmt.Errorf("gce: --gce-network %q: %w", f.Network, err)
		if api.IsNotFound(err) {
			err = platform.Usage(err) // a name the user gave
		}
		return nil, err
	}
	base.Logger().Info("gce flight", "project", client.Project(), "zone", client.Zone(), "image", img.SelfLink, "type", f.MachineType, "network", f.Network)
	return &flight{BaseFlight: base, flags: f, api: client, image: img.SelfLink, nonce: rand.Text(), distro: distroOf(img.SelfLink)}, nil
}

// publicProjects are the projects distributions publish their images in.
var publicProjects = map[string]string{"kinvolk-public": "flatcar", "fedora-coreos-cloud": "fcos", "debian-cloud": "debian"}

// distroOf is the distribution of an image by the project that publishes
// it, "" when it is not a known distribution's.
func distroOf(selfLink string) string {
	_, rest, ok := strings.Cut(selfLink, "projects/")
	if !ok {
		return ""
	}
	project, _, _ := strings.Cut(rest, "/")
	return publicProjects[project]
}

// Distro is the image's distribution, when known (platform.DistroReporter).
func (f *flight) Distro() string { return f.distro }

// resolveImage finds the image a --gce-image names.
func resolveImage(ctx context.Context, c *api.Client, ref string) (*api.Image, error) {
	if m := imageURL.FindStringSubmatch(ref); m != nil {
		parts := strings.Split(strings.TrimPrefix(ref, m[1]), "/")
		if m[2] != "" {
			return c.ImageFromFamily(ctx, parts[1], parts[len(parts)-1])
		}
		return c.Image(ctx, parts[1], parts[len(parts)-1])
	}
	if m := familyRef.FindStringSubmatch(ref); m != nil {
		return c.ImageFromFamily(ctx, m[1], m[2])
	}
	return c.Image(ctx, "", ref)
}

// Destroy destroys the clusters, then any instance of the flight no
// cluster knows (an insert interrupted while Compute Engine was still
// acting on it).
func (f *flight) Destroy(ctx context.Context) error {
	err := f.BaseFlight.Destroy(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	found, lerr := f.api.Instances(ctx, map[string]string{flightLabel: instanceName(f.Name())})
	if lerr != nil {
		return errors.Join(err, fmt.Errorf("look for instances of flight %s: %w", f.Name(), lerr))
	}
	for _, in := range found {
		f.Logger().Warn("deleting an instance of the flight that no cluster knew", "instance", in.Name)
		m := &machine{cluster: &cluster{flight: f}, Machine: cloud.NewMachine(in.Name, nil)}
		if derr := m.Destroy(ctx); derr != nil {
			err = errors.Join(err, derr)
		}
	}
	return err
}

func (f *flight) NewCluster(ctx context.Context, opts platform.ClusterOptions) (platform.Cluster, error) {
	// Volumes per test are not built yet; a test that needs one says so.
	if err := platform.RefuseAdditionalDisks("gce", opts); err != nil {
		return nil, err
	}
	c := &cluster{BaseCluster: platform.NewBaseCluster(f.BaseFlight, opts), flight: f}
	f.Track(c)
	return c, nil
}
