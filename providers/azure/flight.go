package azure

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/api"
)

type flight struct {
	*platform.BaseFlight
	flags  Flags
	api    *api.Client
	image  api.ImageRef
	group  string // the flight's resource group
	subnet string // the machines' subnet's ID
	// created is when the group was made (its CreatedAtTag), and
	// keptAny says a cluster kept a machine: the group then outlives the
	// flight, for RemoveKept to delete with its last kept machine.
	created time.Time
	keptAny atomic.Bool
}

// cleanupTimeout bounds deleting what a failed create made, and the
// flight's resource group, which goes on after the caller's context is
// cancelled.
const cleanupTimeout = 10 * time.Minute

// NewFlight validates the flags, connects, checks the image, and makes
// the flight's resource group and network.
func NewFlight(ctx context.Context, f Flags, opts platform.FlightOptions) (platform.Flight, error) {
	return newFlight(ctx, f, opts, nil)
}

// newFlight lets tests tune the API client (fast retries and polls).
func newFlight(ctx context.Context, f Flags, opts platform.FlightOptions, tune func(*api.Options)) (platform.Flight, error) {
	img, err := f.validate()
	if err != nil {
		return nil, err
	}
	if opts.Arch != "" && opts.Arch != "amd64" && opts.Arch != "arm64" {
		return nil, platform.Usagef("azure: architecture %s is not supported (amd64, arm64)", opts.Arch)
	}
	base, err := platform.NewBaseFlight("azure", opts)
	if err != nil {
		return nil, err
	}
	client, err := Connect(ctx, f.Account, base.Logger(), tune)
	if err != nil {
		return nil, err
	}
	if err := client.CheckImage(ctx, img); err != nil {
		err = fmt.Errorf("azure: --azure-image %q: %w", f.Image, err)
		if api.IsNotFound(err) {
			return nil, platform.Usage(err) // a name the user gave
		}
		return nil, platform.Infra("check the image", err)
	}
	fl := &flight{BaseFlight: base, flags: f, api: client, image: img, group: groupName(base.Name())}
	now := time.Now()
	fl.created = now
	if err := client.CreateGroup(ctx, fl.group, Tags(map[string]string{flightTag: base.Name()}, now)); err != nil {
		return nil, platform.Infra("create the flight's resource group", fmt.Errorf("azure: %w", err))
	}
	network, err := client.CreateNetwork(ctx, fl.group, "strata", Tags(nil, now))
	if err != nil {
		err = platform.Infra("create the flight's network", fmt.Errorf("azure: %w", err))
		if derr := fl.deleteGroup(ctx); derr != nil {
			err = errors.Join(err, fmt.Errorf("and cleaning up: %w", derr))
		}
		return nil, err
	}
	fl.subnet = network.SubnetID
	base.Logger().Info("azure flight", "subscription", client.Subscription(), "location", client.Location(), "group", fl.group, "image", img.String(), "size", f.Size)
	return fl, nil
}

// groupName is a resource group name for a flight: its name, made valid,
// and a random part, since a killed run's group may still be there.
func groupName(flight string) string {
	n := strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(flight), "-"), "-")
	if len(n) > 60 {
		n = strings.TrimRight(n[:60], "-")
	}
	return fmt.Sprintf("strata-%s-%s", n, strings.ToLower(rand.Text()[:6]))
}

// deleteGroup deletes the flight's resource group with everything in it,
// even after ctx is cancelled.
func (f *flight) deleteGroup(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	return f.api.DeleteGroup(ctx, f.group)
}

// Destroy destroys the clusters, then the flight's resource group with
// anything in it no cluster knew (a create interrupted while Azure was
// still acting on it).
func (f *flight) Destroy(ctx context.Context) error {
	err := f.BaseFlight.Destroy(ctx)
	if f.keptAny.Load() {
		f.Logger().Info("azure: the flight's resource group stays with its kept machines (kola rm deletes it with the last)", "group", f.group)
		return err
	}
	if derr := f.deleteGroup(ctx); derr != nil {
		err = errors.Join(err, fmt.Errorf("azure: %w", derr))
	}
	return err
}

func (f *flight) NewCluster(ctx context.Context, opts platform.ClusterOptions) (platform.Cluster, error) {
	// Data disks per test are not built yet; a test that needs one says so.
	if err := platform.RefuseAdditionalDisks("azure", opts); err != nil {
		return nil, err
	}
	c := &cluster{BaseCluster: platform.NewBaseCluster(f.BaseFlight, opts), flight: f}
	f.Track(c)
	return c, nil
}
