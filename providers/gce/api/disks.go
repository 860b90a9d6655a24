package api

import (
	"context"
	"time"

	"google.golang.org/api/compute/v1"
)

// Disk is a persistent disk; Users are the instances it is attached to.
type Disk struct {
	Name    string
	Created time.Time
	Users   []string
	Labels  map[string]string
}

// Disks lists the zone's disks carrying all the labels.
func (c *Client) Disks(ctx context.Context, labels map[string]string) ([]*Disk, error) {
	var out []*Disk
	err := c.do(ctx, "list disks", "disks", c.zone, func(ctx context.Context) error {
		out = nil
		return c.compute.Disks.List(c.project, c.zone).Filter(labelFilter(labels)).MaxResults(500).Context(ctx).Pages(ctx, func(l *compute.DiskList) error {
			for _, d := range l.Items {
				out = append(out, &Disk{Name: d.Name, Created: parseTime(d.CreationTimestamp), Users: d.Users, Labels: d.Labels})
			}
			return nil
		})
	})
	return out, err
}

// DeleteDisk starts deleting a disk; nil and no error when it is already
// gone.
func (c *Client) DeleteDisk(ctx context.Context, name string) (*Operation, error) {
	var o *compute.Operation
	err := c.do(ctx, "delete disk "+name, "disk", name, func(ctx context.Context) error {
		var err error
		o, err = c.compute.Disks.Delete(c.project, c.zone, name).Context(ctx).Do()
		return err
	})
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return zonalOp(o, "disk "+name), nil
}
