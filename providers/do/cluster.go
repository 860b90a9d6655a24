package do

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do/api"
)

type cluster struct {
	*platform.BaseCluster
	flight *flight
	tag    string // on every droplet of the cluster
}

// sshUser is the machines' user, the one Flatcar and Fedora CoreOS
// images have.
const sshUser = "core"

// vars are what $public_ipv4 and $private_ipv4 become in userdata: the
// variables Afterburn (coreos-metadata) sets on DigitalOcean.
var vars = map[string]string{"public_ipv4": "${COREOS_DIGITALOCEAN_IPV4_PUBLIC_0}", "private_ipv4": "${COREOS_DIGITALOCEAN_IPV4_PRIVATE_0}"}

// pollInterval is how often a new droplet is read until it is active.
var pollInterval = 2 * time.Second

// NewMachine makes a droplet and returns when DigitalOcean says it is
// active and it answers SSH (a simulated one is only active). A failure
// of DigitalOcean is a platform error (platform.IsInfra); whatever the
// failure, nothing is left behind.
func (c *cluster) NewMachine(ctx context.Context, ud *conf.UserData) (platform.Machine, error) {
	f := c.flight
	index := c.NextIndex()
	rendered, err := c.RenderUserData(ud, platform.UserDataOptions{User: sshUser, Vars: vars})
	if err != nil {
		return nil, err
	}
	name := machineName(c.Name(), index)
	ctx, cancel := context.WithTimeoutCause(ctx, f.flags.BootTimeout,
		fmt.Errorf("machine %s: not active within --do-boot-timeout %v", name, f.flags.BootTimeout))
	defer cancel()
	if len(rendered.Data) > api.UserDataMax {
		return nil, fmt.Errorf("machine %s: userdata is %d bytes, more than DigitalOcean's limit of %d", name, len(rendered.Data), api.UserDataMax)
	}
	// A tag of its own finds the droplet whatever happened to the
	// create's answer, and deletes it with any twin a retry made.
	own := fmt.Sprintf("strata-m-%s", strings.ToLower(rand.Text()[:10]))
	m := &machine{cluster: c, tag: own}
	fail := func(err error) (platform.Machine, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if derr := m.Destroy(dctx); derr != nil {
			err = errors.Join(err, fmt.Errorf("and cleaning up: %w", derr))
		}
		return nil, err
	}
	spec := api.DropletSpec{Name: name, Region: f.flags.Region, Size: f.flags.Size, Image: f.flags.Image, UserData: string(rendered.Data),
		Tags: []string{CreatedByTag, f.tag, c.tag, own}}
	if len(c.MetadataSSHKeys()) > 0 {
		spec.SSHKeyID = f.key.ID
	}
	d, err := f.api.CreateDroplet(ctx, spec)
	if err != nil {
		return fail(platform.Infra("create "+name, fmt.Errorf("do: %w", cloud.WithCause(ctx, err))))
	}
	id := strconv.Itoa(d.ID)
	m.Machine = cloud.NewMachine(id, map[string]string{"size": f.flags.Size, "region": f.flags.Region, "image": f.flags.Image})
	for d.Status != "active" {
		select {
		case <-ctx.Done():
			return fail(platform.Infra("machine "+name, fmt.Errorf("do: droplet %s is %s: %w", id, d.Status, context.Cause(ctx))))
		case <-time.After(pollInterval):
		}
		if d, err = f.api.Droplet(ctx, d.ID); err != nil {
			return fail(platform.Infra("machine "+name, fmt.Errorf("do: %w", cloud.WithCause(ctx, err))))
		}
		if d.Status != "new" && d.Status != "active" {
			return fail(platform.Infra("machine "+name, fmt.Errorf("do: droplet %s is %s, not active", id, d.Status)))
		}
	}
	dropletID := d.ID
	r := cloud.Running{PublicIP: d.PublicIP, PrivateIP: d.PrivateIP, Watch: func(ctx context.Context) error { return f.watchActive(ctx, dropletID) }}
	if d.Simulated {
		r.Simulator = "strata's DigitalOcean simulator"
	}
	if joined, err := cloud.Join(ctx, c.BaseCluster, m, "droplet "+id+" ("+name+")", r, sshUser, f.flags.BootTimeout, rendered); err != nil {
		if !joined {
			return fail(err)
		}
		return nil, err
	}
	return m, nil
}

// watchInterval is how often a droplet waited on for SSH is looked at, to
// end the wait when it stopped: seldom enough for the API's rate limit.
var watchInterval = 10 * time.Second

// watchActive polls an active droplet until it leaves active (a guest
// that powers off is "off") and says so; nil when ctx ends first.
func (f *flight) watchActive(ctx context.Context, id int) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(watchInterval):
		}
		d, err := f.api.Droplet(ctx, id)
		switch {
		case ctx.Err() != nil:
			return nil
		case api.IsNotFound(err):
			return fmt.Errorf("droplet %d is gone", id)
		case err == nil && d.Status != "active":
			return fmt.Errorf("droplet %d is %s (a guest that powers off is off: see its journal)", id, d.Status)
		}
	}
}

// Destroy destroys the machines, then any droplet with the cluster's
// tag: one whose create the caller gave up on while DigitalOcean went on
// making it.
func (c *cluster) Destroy(ctx context.Context) error {
	err := c.BaseCluster.Destroy(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if derr := c.flight.api.DeleteDropletsByTag(ctx, c.tag); derr != nil {
		err = errors.Join(err, fmt.Errorf("do: %w", derr))
	}
	return err
}

// clusterTag is a tag for one cluster of a flight.
func clusterTag(flightTag string) string {
	return fmt.Sprintf("%s-c%s", strings.TrimPrefix(flightTag, "strata-flight-"), strings.ToLower(rand.Text()[:6]))
}

// machineName is a droplet name (and host name) for a cluster's
// index-th machine.
func machineName(clusterName string, index int) string {
	n := cloud.Slug(clusterName, 50)
	if n == "" {
		n = "m"
	}
	return fmt.Sprintf("%s-%d", n, index)
}
