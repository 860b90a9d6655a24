package packet

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/packet/api"
)

// What strata marks its devices and keys with.
const (
	// CreatedByTag is on every device strata makes.
	CreatedByTag = "strata"
	// keyPrefix starts the label of every project SSH key strata adds;
	// when it was made and the flight's tag follow.
	keyPrefix = "strata-key-"
)

type flight struct {
	*platform.BaseFlight
	flags Flags
	api   *api.Client
	tag   string  // on every device of the flight
	key   api.Key // the flight's project SSH key
}

// cleanupTimeout bounds deleting what a failed create made, and the
// flight's devices and key, which goes on after the caller's context is
// cancelled.
const cleanupTimeout = 10 * time.Minute

// NewFlight validates the flags, checks the project and key, and adds the
// flight's SSH key to the project.
func NewFlight(ctx context.Context, f Flags, opts platform.FlightOptions) (platform.Flight, error) {
	return newFlight(ctx, f, opts, nil)
}

// newFlight lets tests tune the API client (fast retries).
func newFlight(ctx context.Context, f Flags, opts platform.FlightOptions, tune func(*api.Options)) (platform.Flight, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if opts.Arch != "" && opts.Arch != "amd64" && opts.Arch != "arm64" {
		return nil, platform.Usagef("packet: architecture %s is not supported (amd64, arm64)", opts.Arch)
	}
	base, err := platform.NewBaseFlight("packet", opts)
	if err != nil {
		return nil, err
	}
	client, err := Connect(ctx, f.Account, base.Logger(), tune)
	if err != nil {
		return nil, err
	}
	if err := client.CheckProject(ctx); err != nil {
		err = fmt.Errorf("packet: %w", err)
		if api.IsTerminal(err) {
			return nil, platform.Usage(err)
		}
		return nil, platform.Infra("check the project", err)
	}
	fl := &flight{BaseFlight: base, flags: f, api: client, tag: "strata-flight-" + cloud.Slug(base.Name(), 40) + "-" + strings.ToLower(rand.Text()[:6])}
	fl.key, err = client.CreateKey(ctx, cloud.TimedName(keyPrefix, time.Now(), fl.tag), base.SSHKey().AuthorizedKey)
	if err != nil {
		return nil, platform.Infra("add the flight's SSH key", fmt.Errorf("packet: %w", err))
	}
	base.Logger().Info("packet flight", "metro", f.Metro, "plan", f.Plan, "os", f.OS, "tag", fl.tag)
	return fl, nil
}

// Destroy destroys the clusters, then any device with the flight's tag (a
// create cut short) and the flight's SSH key.
func (f *flight) Destroy(ctx context.Context) error {
	err := f.BaseFlight.Destroy(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if derr := f.api.DeleteDevicesWith(ctx, f.tag); derr != nil {
		err = errors.Join(err, fmt.Errorf("packet: %w", derr))
	}
	if derr := f.api.DeleteKey(ctx, f.key.ID); derr != nil {
		err = errors.Join(err, fmt.Errorf("packet: %w", derr))
	}
	return err
}

func (f *flight) NewCluster(ctx context.Context, opts platform.ClusterOptions) (platform.Cluster, error) {
	if err := platform.RefuseAdditionalDisks("packet", opts); err != nil {
		return nil, err
	}
	c := &cluster{BaseCluster: platform.NewBaseCluster(f.BaseFlight, opts), flight: f,
		tag: strings.TrimPrefix(f.tag, "strata-flight-") + "-c" + strings.ToLower(rand.Text()[:6])}
	f.Track(c)
	return c, nil
}
