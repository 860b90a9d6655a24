package do

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do/api"
)

// What strata marks its droplets with. DigitalOcean's tags are plain
// names, and droplets carry their own creation time, so a droplet is
// strata's by one tag and GC goes by its created_at.
const (
	// CreatedByTag is on every droplet strata makes.
	CreatedByTag = "strata"
	// keyPrefix starts the name of every SSH key strata adds: keys take
	// no tags and have no creation time, so the name holds both (see
	// keyName).
	keyPrefix = "strata-key-"
)

// keyName is the name of a flight's SSH key: strata's prefix, when it
// was made (for GC) and the flight's tag.
func keyName(now time.Time, flightTag string) string {
	return cloud.TimedName(keyPrefix, now, flightTag)
}

type flight struct {
	*platform.BaseFlight
	flags Flags
	api   *api.Client
	tag   string  // on every droplet of the flight
	key   api.Key // the flight's SSH key, in the account for the flight
}

// cleanupTimeout bounds deleting what a failed create made, and the
// flight's droplets and key, which goes on after the caller's context is
// cancelled.
const cleanupTimeout = 10 * time.Minute

// NewFlight validates the flags, connects, checks the image, and adds
// the flight's SSH key to the account.
func NewFlight(ctx context.Context, f Flags, opts platform.FlightOptions) (platform.Flight, error) {
	return newFlight(ctx, f, opts, nil)
}

// newFlight lets tests tune the API client (fast retries).
func newFlight(ctx context.Context, f Flags, opts platform.FlightOptions, tune func(*api.Options)) (platform.Flight, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if opts.Arch != "" && opts.Arch != "amd64" {
		return nil, platform.Usagef("do: architecture %s is not supported (amd64)", opts.Arch)
	}
	base, err := platform.NewBaseFlight("do", opts)
	if err != nil {
		return nil, err
	}
	client, err := Connect(ctx, f.Account, base.Logger(), tune)
	if err != nil {
		return nil, err
	}
	if err := client.CheckImage(ctx, f.Image); err != nil {
		err = fmt.Errorf("do: --do-image %q: %w", f.Image, err)
		if api.IsNotFound(err) {
			return nil, platform.Usage(err)
		}
		return nil, platform.Infra("check the image", err)
	}
	fl := &flight{BaseFlight: base, flags: f, api: client, tag: flightTag(base.Name())}
	fl.key, err = client.CreateKey(ctx, keyName(time.Now(), fl.tag), base.SSHKey().AuthorizedKey)
	if err != nil {
		return nil, platform.Infra("add the flight's SSH key", fmt.Errorf("do: %w", err))
	}
	base.Logger().Info("do flight", "region", f.Region, "image", f.Image, "size", f.Size, "tag", fl.tag)
	return fl, nil
}

// flightTag is a tag for a flight: its name, made a valid tag, and a
// random part, since a killed run's droplets may still be there.
func flightTag(flight string) string {
	return fmt.Sprintf("strata-flight-%s-%s", cloud.Slug(flight, 40), strings.ToLower(rand.Text()[:6]))
}

// Destroy destroys the clusters, then any droplet with the flight's tag
// (a create cut short) and the flight's SSH key.
func (f *flight) Destroy(ctx context.Context) error {
	err := f.BaseFlight.Destroy(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if derr := f.api.DeleteDropletsByTag(ctx, f.tag); derr != nil {
		err = errors.Join(err, fmt.Errorf("do: %w", derr))
	}
	if derr := f.api.DeleteKey(ctx, f.key.ID); derr != nil {
		err = errors.Join(err, fmt.Errorf("do: %w", derr))
	}
	return err
}

func (f *flight) NewCluster(ctx context.Context, opts platform.ClusterOptions) (platform.Cluster, error) {
	// Volumes per test are not built yet; a test that needs one says so.
	if err := platform.RefuseAdditionalDisks("do", opts); err != nil {
		return nil, err
	}
	c := &cluster{BaseCluster: platform.NewBaseCluster(f.BaseFlight, opts), flight: f, tag: clusterTag(f.tag)}
	f.Track(c)
	return c, nil
}
