package api

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"google.golang.org/api/compute/v1"
)

// InstanceSpec is what an instance is made from.
type InstanceSpec struct {
	Name        string
	MachineType string // e.g. e2-medium
	Image       string // a URL or partial URL (projects/P/global/images/NAME)
	Network     string // name
	DiskSizeGB  int64  // 0: the image's size
	Labels      map[string]string
	Metadata    map[string]string
	// RequestID makes the insert idempotent: Compute Engine answers a
	// repeated insert with the first one's operation.
	RequestID string
}

// Instance is what strata needs to know of an instance.
type Instance struct {
	Name      string
	Status    string // PROVISIONING, STAGING, RUNNING, STOPPING, TERMINATED…
	PublicIP  string
	PrivateIP string
	Created   time.Time
	Labels    map[string]string
	Metadata  map[string]string
	// Simulated is true for instances of strata's simulator, which run
	// but do not boot.
	Simulated bool
}

// SimulatedPlatform is the cpuPlatform strata's simulator gives its
// instances.
const SimulatedPlatform = "strata simulator (does not boot)"

// InsertInstance asks for an instance with a boot disk that goes with it.
func (c *Client) InsertInstance(ctx context.Context, s InstanceSpec) (*Operation, error) {
	meta := &compute.Metadata{}
	for _, k := range slices.Sorted(maps.Keys(s.Metadata)) {
		meta.Items = append(meta.Items, &compute.MetadataItems{Key: k, Value: ptr(s.Metadata[k])})
	}
	in := &compute.Instance{
		Name:        s.Name,
		MachineType: fmt.Sprintf("zones/%s/machineTypes/%s", c.zone, s.MachineType),
		Labels:      s.Labels,
		Metadata:    meta,
		Disks: []*compute.AttachedDisk{{
			Boot: true, AutoDelete: true, Type: "PERSISTENT",
			InitializeParams: &compute.AttachedDiskInitializeParams{SourceImage: s.Image, DiskSizeGb: s.DiskSizeGB, Labels: s.Labels},
		}},
		NetworkInterfaces: []*compute.NetworkInterface{{
			Network:       "global/networks/" + s.Network,
			AccessConfigs: []*compute.AccessConfig{{Name: "External NAT", Type: "ONE_TO_ONE_NAT"}},
		}},
	}
	var o *compute.Operation
	err := c.do(ctx, "insert instance "+s.Name, "instance", s.Name, func(ctx context.Context) error {
		var err error
		o, err = c.compute.Instances.Insert(c.project, c.zone, in).RequestId(s.RequestID).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return zonalOp(o, "instance "+s.Name), nil
}

// Instance gets one instance.
func (c *Client) Instance(ctx context.Context, name string) (*Instance, error) {
	var in *compute.Instance
	err := c.do(ctx, "get instance "+name, "instance", name, func(ctx context.Context) error {
		var err error
		in, err = c.compute.Instances.Get(c.project, c.zone, name).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return instance(in), nil
}

// Instances lists the zone's instances carrying all the labels.
func (c *Client) Instances(ctx context.Context, labels map[string]string) ([]*Instance, error) {
	var out []*Instance
	err := c.do(ctx, "list instances", "instances", c.zone, func(ctx context.Context) error {
		out = nil
		return c.compute.Instances.List(c.project, c.zone).Filter(labelFilter(labels)).MaxResults(500).Context(ctx).Pages(ctx, func(l *compute.InstanceList) error {
			for _, in := range l.Items {
				out = append(out, instance(in))
			}
			return nil
		})
	})
	return out, err
}

// DeleteInstance starts deleting an instance (and its boot disk); nil
// and no error when it is already gone.
func (c *Client) DeleteInstance(ctx context.Context, name string) (*Operation, error) {
	var o *compute.Operation
	err := c.do(ctx, "delete instance "+name, "instance", name, func(ctx context.Context) error {
		var err error
		o, err = c.compute.Instances.Delete(c.project, c.zone, name).Context(ctx).Do()
		return err
	})
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return zonalOp(o, "instance "+name), nil
}

// SerialOutput is what an instance wrote to its first serial port, as
// far back as Compute Engine keeps it; lost is how many bytes before it
// are gone.
func (c *Client) SerialOutput(ctx context.Context, name string) (contents string, lost int64, err error) {
	var out *compute.SerialPortOutput
	err = c.do(ctx, "serial port output of "+name, "instance", name, func(ctx context.Context) error {
		var err error
		out, err = c.compute.Instances.GetSerialPortOutput(c.project, c.zone, name).Port(1).Start(0).Context(ctx).Do()
		return err
	})
	if err != nil {
		return "", 0, err
	}
	return out.Contents, out.Start, nil
}

// Network checks that a network exists.
func (c *Client) Network(ctx context.Context, name string) error {
	return c.do(ctx, "get network "+name, "network", name, func(ctx context.Context) error {
		_, err := c.compute.Networks.Get(c.project, name).Context(ctx).Do()
		return err
	})
}

func instance(in *compute.Instance) *Instance {
	out := &Instance{Name: in.Name, Status: in.Status, Labels: in.Labels, Created: parseTime(in.CreationTimestamp), Metadata: map[string]string{},
		Simulated: in.CpuPlatform == SimulatedPlatform}
	if len(in.NetworkInterfaces) > 0 {
		ni := in.NetworkInterfaces[0]
		out.PrivateIP = ni.NetworkIP
		if len(ni.AccessConfigs) > 0 {
			out.PublicIP = ni.AccessConfigs[0].NatIP
		}
	}
	if in.Metadata != nil {
		for _, it := range in.Metadata.Items {
			if it.Value != nil {
				out.Metadata[it.Key] = *it.Value
			}
		}
	}
	return out
}

// labelFilter is a list filter that keeps resources with all the labels.
func labelFilter(labels map[string]string) string {
	var terms []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		terms = append(terms, fmt.Sprintf("(labels.%s = %q)", k, labels[k]))
	}
	return strings.Join(terms, " ")
}

// parseTime reads Google's RFC 3339 timestamps; a missing or malformed
// one is the zero time, which GC takes for an unknown age and never
// deletes.
func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339, s)
	return t
}

func ptr[T any](v T) *T { return &v }

// UpdateInstanceLabels changes an instance's labels (change edits them in
// place) with Compute Engine's fingerprint, so that a concurrent change
// fails rather than is lost, and waits until the change is made.
func (c *Client) UpdateInstanceLabels(ctx context.Context, name string, change func(labels map[string]string), poll time.Duration) error {
	var in *compute.Instance
	err := c.do(ctx, "get instance "+name, "instance", name, func(ctx context.Context) error {
		var err error
		in, err = c.compute.Instances.Get(c.project, c.zone, name).Context(ctx).Do()
		return err
	})
	if err != nil {
		return err
	}
	labels := maps.Clone(in.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	change(labels)
	var o *compute.Operation
	err = c.do(ctx, "set labels of instance "+name, "instance", name, func(ctx context.Context) error {
		var err error
		o, err = c.compute.Instances.SetLabels(c.project, c.zone, name, &compute.InstancesSetLabelsRequest{Labels: labels, LabelFingerprint: in.LabelFingerprint}).Context(ctx).Do()
		return err
	})
	if err != nil {
		return err
	}
	return c.Wait(ctx, zonalOp(o, "instance "+name), poll)
}
