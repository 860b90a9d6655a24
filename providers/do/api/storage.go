package api

import (
	"context"
	"time"

	"github.com/digitalocean/godo"
)

// Volume is a block storage volume.
type Volume struct {
	ID, Name, Region string
	Tags             []string
	DropletIDs       []int
	Created          time.Time
}

// Volumes lists the account's volumes.
func (c *Client) Volumes(ctx context.Context) ([]Volume, error) {
	vs, err := all(ctx, "list volumes", func(o *godo.ListOptions) ([]godo.Volume, *godo.Response, error) {
		return c.godo.Storage.ListVolumes(ctx, &godo.ListVolumeParams{ListOptions: o})
	})
	if err != nil {
		return nil, err
	}
	out := make([]Volume, 0, len(vs))
	for _, v := range vs {
		region := ""
		if v.Region != nil {
			region = v.Region.Slug
		}
		out = append(out, Volume{ID: v.ID, Name: v.Name, Region: region, Tags: v.Tags, DropletIDs: v.DropletIDs, Created: v.CreatedAt})
	}
	return out, nil
}

// DeleteVolume deletes a volume; one that is not there is no error.
func (c *Client) DeleteVolume(ctx context.Context, id string) error {
	_, err := c.godo.Storage.DeleteVolume(ctx, id)
	if err = wrap("delete volume "+id, err); IsNotFound(err) {
		return nil
	}
	return err
}

// Snapshot is a snapshot of a droplet or a volume.
type Snapshot struct {
	ID, Name, ResourceType, ResourceID string
	Tags                               []string
	// Created is zero when DigitalOcean's created_at does not parse.
	Created time.Time
}

// Snapshots lists the account's snapshots of droplets and volumes.
func (c *Client) Snapshots(ctx context.Context) ([]Snapshot, error) {
	ss, err := all(ctx, "list snapshots", func(o *godo.ListOptions) ([]godo.Snapshot, *godo.Response, error) {
		return c.godo.Snapshots.List(ctx, o)
	})
	if err != nil {
		return nil, err
	}
	out := make([]Snapshot, 0, len(ss))
	for _, s := range ss {
		created, _ := time.Parse(time.RFC3339, s.Created)
		out = append(out, Snapshot{ID: s.ID, Name: s.Name, ResourceType: s.ResourceType, ResourceID: s.ResourceID, Tags: s.Tags, Created: created})
	}
	return out, nil
}

// DeleteSnapshot deletes a snapshot; one that is not there is no error.
func (c *Client) DeleteSnapshot(ctx context.Context, id string) error {
	_, err := c.godo.Snapshots.Delete(ctx, id)
	if err = wrap("delete snapshot "+id, err); IsNotFound(err) {
		return nil
	}
	return err
}
