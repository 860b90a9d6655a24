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
	mine := map[string]string{"CreatedBy": createdBy}
	var items []GCItem
	var errs []error

	instances, err := c.Instances(ctx, mine)
	if err != nil {
		return nil, fmt.Errorf("aws gc: %w", err)
	}
	for _, in := range instances {
		age := now.Sub(in.LaunchTime)
		if in.State == "terminated" || in.State == "shutting-down" || age < o.OlderThan {
			continue
		}
		item := GCItem{Kind: "instance", ID: in.ID, Age: age}
		if !o.DryRun {
			if _, err := c.Terminate(ctx, in.ID); err != nil {
				errs = append(errs, fmt.Errorf("aws gc: %w", err))
				continue
			}
		}
		items = append(items, item)
	}

	keys, err := c.KeyPairs(ctx, mine)
	if err != nil {
		return items, errors.Join(append(errs, fmt.Errorf("aws gc: %w", err))...)
	}
	for _, k := range keys {
		age := now.Sub(k.Created)
		if age < o.OlderThan {
			continue
		}
		item := GCItem{Kind: "key pair", ID: k.Name, Age: age}
		if !o.DryRun {
			if err := c.DeleteKeyPair(ctx, k.Name); err != nil {
				errs = append(errs, fmt.Errorf("aws gc: %w", err))
				continue
			}
		}
		items = append(items, item)
	}
	images, err := c.Images(ctx, mine)
	if err != nil {
		return items, errors.Join(append(errs, fmt.Errorf("aws gc: %w", err))...)
	}
	inImage := map[string]bool{}
	for _, img := range images {
		age := now.Sub(img.Created)
		if age < o.OlderThan {
			for _, s := range img.SnapshotIDs {
				inImage[s] = true // a young image keeps its snapshots
			}
			continue
		}
		item := GCItem{Kind: "image", ID: img.ID, Age: age}
		if !o.DryRun {
			if err := c.DeleteImage(ctx, img); err != nil {
				errs = append(errs, fmt.Errorf("aws gc: %w", err))
				continue
			}
		}
		for _, s := range img.SnapshotIDs {
			inImage[s] = true // gone with its image
		}
		items = append(items, item)
	}
	snaps, err := c.Snapshots(ctx, mine)
	if err != nil {
		return items, errors.Join(append(errs, fmt.Errorf("aws gc: %w", err))...)
	}
	for _, s := range snaps {
		age := now.Sub(s.Started)
		if inImage[s.ID] || age < o.OlderThan {
			continue
		}
		item := GCItem{Kind: "snapshot", ID: s.ID, Age: age}
		if !o.DryRun {
			if err := c.DeleteSnapshot(ctx, s.ID); err != nil {
				errs = append(errs, fmt.Errorf("aws gc: %w", err))
				continue
			}
		}
		items = append(items, item)
	}
	return items, errors.Join(errs...)
}
