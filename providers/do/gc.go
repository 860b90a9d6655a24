package do

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/do/api"
)

// GC kinds, in the order they are deleted.
const (
	gcDroplet  = "droplet"
	gcVolume   = "volume"
	gcSnapshot = "snapshot"
	gcImage    = "image"
	gcKey      = "key"
)

// GC removes what strata's runs left behind, older than the bound:
// droplets, volumes, snapshots and custom images tagged as strata's, by
// their creation time,
// and the SSH keys strata added, by the time in their names. Nothing else is touched, and
// a droplet or key without a readable creation time never is. It goes
// on past a failed deletion and reports every one.
func GC(ctx context.Context, c *api.Client, o cloud.GCOptions) ([]cloud.GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	found, err := candidates(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("do gc: %w", err)
	}
	items, err := cloud.Collect(ctx, found, o)
	if err != nil {
		return items, fmt.Errorf("do gc: %w", err)
	}
	return items, nil
}

func candidates(ctx context.Context, c *api.Client) ([]cloud.Candidate, error) {
	var found []cloud.Candidate
	droplets, err := c.Droplets(ctx, CreatedByTag)
	if err != nil {
		return nil, err
	}
	for _, d := range droplets {
		found = append(found, cloud.Candidate{Kind: gcDroplet, ID: strconv.Itoa(d.ID), Created: d.Created, Delete: func(ctx context.Context) error {
			return c.DeleteDroplet(ctx, d.ID)
		}})
	}
	volumes, err := c.Volumes(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range volumes {
		if slices.Contains(v.Tags, CreatedByTag) {
			found = append(found, cloud.Candidate{Kind: gcVolume, ID: v.ID, Created: v.Created, Delete: func(ctx context.Context) error {
				return c.DeleteVolume(ctx, v.ID)
			}})
		}
	}
	snapshots, err := c.Snapshots(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range snapshots {
		if slices.Contains(s.Tags, CreatedByTag) {
			found = append(found, cloud.Candidate{Kind: gcSnapshot, ID: s.ID, Created: s.Created, Delete: func(ctx context.Context) error {
				return c.DeleteSnapshot(ctx, s.ID)
			}})
		}
	}
	images, err := c.Images(ctx)
	if err != nil {
		return nil, err
	}
	for _, im := range images {
		if !slices.Contains(im.Tags, CreatedByTag) || isRelease(im.Tags) {
			continue // not strata's, or a release's (plume prune collects those)
		}
		found = append(found, cloud.Candidate{Kind: gcImage, ID: strconv.Itoa(im.ID), Created: im.Created, Delete: func(ctx context.Context) error {
			return c.DeleteImage(ctx, im.ID)
		}})
	}
	keys, err := c.Keys(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		created, ours := cloud.TimeFromName(keyPrefix, k.Name)
		if !ours {
			continue
		}
		found = append(found, cloud.Candidate{Kind: gcKey, ID: k.Name, Created: created, Delete: func(ctx context.Context) error {
			return c.DeleteKey(ctx, k.ID)
		}})
	}
	return found, nil
}
