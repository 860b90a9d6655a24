package gce

import (
	"context"
	"fmt"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/gce/api"
)

// GC removes what strata's runs left behind, labelled created-by=strata
// and older than the bound: instances (with their boot disks), disks no
// instance uses, images, and — when a bucket is given — objects uploaded
// for images (metadata created-by=strata). It goes on past a failed
// deletion and reports every one.
func GC(ctx context.Context, c *api.Client, bucket string, o cloud.GCOptions) ([]cloud.GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	found, err := candidates(ctx, c, bucket)
	if err != nil {
		return nil, fmt.Errorf("gce gc: %w", err)
	}
	items, err := cloud.Collect(ctx, found, o)
	if err != nil {
		return items, fmt.Errorf("gce gc: %w", err)
	}
	return items, nil
}

// deleted waits for a deletion's operation (nil: it was already gone).
func deleted(ctx context.Context, c *api.Client, op *api.Operation, err error) error {
	if err != nil || op == nil {
		return err
	}
	return c.Wait(ctx, op, pollInterval)
}

// candidates lists everything labelled created-by=strata, whatever its
// age: instances first, since deleting one deletes its disk.
func candidates(ctx context.Context, c *api.Client, bucket string) ([]cloud.Candidate, error) {
	var found []cloud.Candidate
	instances, err := c.Instances(ctx, Mine())
	if err != nil {
		return nil, err
	}
	for _, in := range instances {
		if in.Status == "STOPPING" {
			continue // being deleted
		}
		found = append(found, cloud.Candidate{Kind: "instance", ID: in.Name, Created: in.Created, Delete: func(ctx context.Context) error {
			op, err := c.DeleteInstance(ctx, in.Name)
			return deleted(ctx, c, op, err)
		}})
	}
	disks, err := c.Disks(ctx, Mine())
	if err != nil {
		return nil, err
	}
	for _, d := range disks {
		if len(d.Users) > 0 {
			continue // goes with its instance, or stays with it
		}
		found = append(found, cloud.Candidate{Kind: "disk", ID: d.Name, Created: d.Created, Delete: func(ctx context.Context) error {
			op, err := c.DeleteDisk(ctx, d.Name)
			return deleted(ctx, c, op, err)
		}})
	}
	images, err := c.Images(ctx, Mine())
	if err != nil {
		return nil, err
	}
	for _, img := range images {
		if img.Labels[VersionLabel] != "" {
			continue // a release's: plume prune collects those
		}
		found = append(found, cloud.Candidate{Kind: "image", ID: img.Name, Created: img.Created, Delete: func(ctx context.Context) error {
			op, err := c.DeleteImage(ctx, img.Name)
			return deleted(ctx, c, op, err)
		}})
	}
	if bucket == "" {
		return found, nil
	}
	objects, err := c.Objects(ctx, bucket, "")
	if err != nil {
		return nil, err
	}
	for _, obj := range objects {
		if !IsMine(obj.Metadata) {
			continue
		}
		found = append(found, cloud.Candidate{Kind: "object", ID: "gs://" + bucket + "/" + obj.Name, Created: obj.Created, Delete: func(ctx context.Context) error {
			return c.DeleteObject(ctx, bucket, obj.Name)
		}})
	}
	return found, nil
}
