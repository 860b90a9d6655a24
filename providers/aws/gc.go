package aws

import (
	"context"
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/aws/api"
)

// GC removes what strata's runs left behind, tagged CreatedBy=strata and
// older than the bound: instances (terminated, not waited for), key
// pairs, AMIs (with their snapshots), snapshots, networks (VPC, subnet,
// gateway, route table, security group) no instance uses, and — when a
// bucket is given — objects uploaded for imports (metadata
// created-by=strata). It goes on past a failed deletion and reports every
// one.
func GC(ctx context.Context, c *api.Client, bucket string, o cloud.GCOptions) ([]cloud.GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	found, err := candidates(ctx, c, bucket)
	if err != nil {
		return nil, fmt.Errorf("aws gc: %w", err)
	}
	items, err := cloud.Collect(ctx, found, o)
	if err != nil {
		return items, fmt.Errorf("aws gc: %w", err)
	}
	return items, nil
}

// candidates lists every resource tagged CreatedBy=strata, whatever its
// age. A snapshot an image boots from goes with its image, never alone.
func candidates(ctx context.Context, c *api.Client, bucket string) ([]cloud.Candidate, error) {
	mine := Mine()
	var found []cloud.Candidate
	instances, err := c.Instances(ctx, mine)
	if err != nil {
		return nil, err
	}
	for _, in := range instances {
		if in.State == "terminated" || in.State == "shutting-down" {
			continue
		}
		found = append(found, cloud.Candidate{Kind: "instance", ID: in.ID, Created: in.LaunchTime, Delete: func(ctx context.Context) error {
			_, err := c.Terminate(ctx, in.ID)
			return err
		}})
	}
	keys, err := c.KeyPairs(ctx, mine)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		found = append(found, cloud.Candidate{Kind: "key pair", ID: k.Name, Created: k.Created, Delete: func(ctx context.Context) error { return c.DeleteKeyPair(ctx, k.Name) }})
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
		if isRelease(img.Tags) {
			continue // a release's: plume prune collects those
		}
		found = append(found, cloud.Candidate{Kind: "image", ID: img.ID, Created: img.Created, Delete: func(ctx context.Context) error { return c.DeleteImage(ctx, img) }})
	}
	snaps, err := c.Snapshots(ctx, mine)
	if err != nil {
		return nil, err
	}
	for _, s := range snaps {
		if !ofImage[s.ID] && !isRelease(s.Tags) {
			found = append(found, cloud.Candidate{Kind: "snapshot", ID: s.ID, Created: s.Started, Delete: func(ctx context.Context) error { return c.DeleteSnapshot(ctx, s.ID) }})
		}
	}
	vpcs, err := c.VPCs(ctx, mine)
	if err != nil {
		return nil, err
	}
	for _, v := range vpcs {
		// Unknown age (no tag, or a malformed one) is never old enough.
		created, _ := time.Parse(time.RFC3339, v.Tags[CreatedTag])
		found = append(found, cloud.Candidate{Kind: "network", ID: v.ID + " (" + v.Tags["Name"] + ")", Created: created, Delete: func(ctx context.Context) error {
			return c.DeleteNetwork(ctx, v.ID)
		}})
	}
	if bucket == "" {
		return found, nil
	}
	objects, err := c.Objects(ctx, bucket)
	if err != nil {
		return nil, err
	}
	for _, o := range objects {
		if IsMine(o.Metadata) {
			found = append(found, cloud.Candidate{Kind: "object", ID: "s3://" + bucket + "/" + o.Key, Created: o.Modified, Delete: func(ctx context.Context) error {
				return c.DeleteObject(ctx, bucket, o.Key)
			}})
		}
	}
	return found, nil
}
