package aws

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/strata-os/strata/providers/aws/api"
)

// GCOptions select what garbage collection removes: resources tagged
// CreatedBy=strata and older than OlderThan. Nothing untagged or younger
// is ever touched.
type GCOptions struct {
	OlderThan time.Duration
	// DryRun lists what would go and deletes nothing.
	DryRun bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// GCItem is one resource GC removed (or would remove).
type GCItem struct {
	Kind, ID string
	Age      time.Duration
}

func (i GCItem) String() string {
	return fmt.Sprintf("%s %s (%s old)", i.Kind, i.ID, i.Age.Round(time.Minute))
}

// candidate is a resource GC found: when it was made, and how to delete it.
type candidate struct {
	kind, id string
	created  time.Time
	del      func(context.Context) error
}

// GC removes what strata's runs left behind: instances (terminated, not
// waited for), key pairs, AMIs (with their snapshots) and snapshots. It
// goes on past a failed deletion and reports every one.
func GC(ctx context.Context, c *api.Client, o GCOptions) ([]GCItem, error) {
	if o.OlderThan <= 0 {
		return nil, fmt.Errorf("aws gc: --duration must be positive")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	now := o.Now()
	found, err := candidates(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("aws gc: %w", err)
	}
	var items []GCItem
	var errs []error
	for _, cand := range found {
		age := now.Sub(cand.created)
		if age < o.OlderThan {
			continue
		}
		if !o.DryRun {
			if err := cand.del(ctx); err != nil {
				errs = append(errs, fmt.Errorf("aws gc: %w", err))
				continue
			}
		}
		items = append(items, GCItem{Kind: cand.kind, ID: cand.id, Age: age})
	}
	return items, errors.Join(errs...)
}

// candidates lists every resource tagged CreatedBy=strata, whatever its
// age. A snapshot an image boots from goes with its image, never alone.
func candidates(ctx context.Context, c *api.Client) ([]candidate, error) {
	mine := map[string]string{"CreatedBy": createdBy}
	var found []candidate
	instances, err := c.Instances(ctx, mine)
	if err != nil {
		return nil, err
	}
	for _, in := range instances {
		if in.State == "terminated" || in.State == "shutting-down" {
			continue
		}
		found = append(found, candidate{"instance", in.ID, in.LaunchTime, func(ctx context.Context) error {
			_, err := c.Terminate(ctx, in.ID)
			return err
		}})
	}
	keys, err := c.KeyPairs(ctx, mine)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		found = append(found, candidate{"key pair", k.Name, k.Created, func(ctx context.Context) error { return c.DeleteKeyPair(ctx, k.Name) }})
	}
	images, err := c.Images(ctx, mine)
	if err != nil {
		return nil, err
	}
	ofImage := map[string]bool{}
	for _, img := range images {
		for _, s := range img.SnapshotIDs {
			ofImage[s] = true
		}
		found = append(found, candidate{"image", img.ID, img.Created, func(ctx context.Context) error { return c.DeleteImage(ctx, img) }})
	}
	snaps, err := c.Snapshots(ctx, mine)
	if err != nil {
		return nil, err
	}
	for _, s := range snaps {
		if !ofImage[s.ID] {
			found = append(found, candidate{"snapshot", s.ID, s.Started, func(ctx context.Context) error { return c.DeleteSnapshot(ctx, s.ID) }})
		}
	}
	return found, nil
}
