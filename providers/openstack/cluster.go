package openstack

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack/api"
)

type cluster struct {
	*platform.BaseCluster
	flight *flight
	path   string // FLIGHT/CLUSTER
}

// sshUser is the machines' user, the one Flatcar and Fedora CoreOS
// images have.
const sshUser = "core"

// vars are what $public_ipv4 and $private_ipv4 become in userdata: the
// variables Afterburn (coreos-metadata) sets on OpenStack.
var vars = map[string]string{"public_ipv4": "${COREOS_OPENSTACK_IPV4_PUBLIC}", "private_ipv4": "${COREOS_OPENSTACK_IPV4_LOCAL}"}

// pollInterval is how often a new server is read until it is ACTIVE.
var pollInterval = 2 * time.Second

// NewMachine makes a port in the flight's security group, a floating IP
// for it when there is a pool, and a server on it, and returns when Nova
// says the server is ACTIVE and it answers SSH (a simulated one is only
// ACTIVE). A failure of OpenStack is a platform error (platform.IsInfra);
// whatever the failure, nothing is left behind.
func (c *cluster) NewMachine(ctx context.Context, ud *conf.UserData) (platform.Machine, error) {
	f := c.flight
	index := c.NextIndex()
	rendered, err := c.RenderUserData(ud, platform.UserDataOptions{User: sshUser, Vars: vars})
	if err != nil {
		return nil, err
	}
	name := machineName(c.Name(), index)
	if len(rendered.Data) > api.UserDataMax {
		return nil, fmt.Errorf("machine %s: userdata is %d bytes, more than Nova's limit of %d", name, len(rendered.Data), api.UserDataMax)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, f.flags.BootTimeout,
		fmt.Errorf("machine %s: not ACTIVE within --os-boot-timeout %v", name, f.flags.BootTimeout))
	defer cancel()
	m := &machine{cluster: c, path: c.path + "/" + strings.ToLower(rand.Text()[:8])}
	fail := func(err error) (platform.Machine, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if derr := m.Destroy(dctx); derr != nil {
			err = errors.Join(err, fmt.Errorf("and cleaning up: %w", derr))
		}
		return nil, err
	}
	infra := func(what string, err error) (platform.Machine, error) {
		return fail(platform.Infra(what, fmt.Errorf("openstack: %w", cloud.WithCause(ctx, err))))
	}
	port, err := f.api.CreatePort(ctx, f.network, name, describedPrefix+m.path, f.group.ID)
	if err != nil {
		return infra("create "+name, err)
	}
	public := port.IP
	if f.pool != "" {
		fip, err := f.api.CreateFloatingIP(ctx, f.pool, port.ID, describedPrefix+m.path)
		if err != nil {
			return infra("create "+name, err)
		}
		public = fip.Address
	}
	spec := api.ServerSpec{Name: name, ImageID: f.imageID, FlavorID: f.flavorID, UserData: rendered.Data, ConfigDrive: f.flags.ConfigDrive,
		PortID: port.ID, Own: PathKey, Metadata: map[string]string{CreatedByKey: CreatedBy, PathKey: m.path}}
	if len(c.MetadataSSHKeys()) > 0 {
		spec.KeyName = f.key
	}
	s, err := f.api.CreateServer(ctx, spec)
	if err != nil {
		return infra("create "+name, err)
	}
	m.Machine = cloud.NewMachine(s.ID, map[string]string{"flavor": f.flags.Flavor, "image": f.flags.Image, "port": port.ID})
	for s.Status != "ACTIVE" {
		select {
		case <-ctx.Done():
			return fail(platform.Infra("machine "+name, fmt.Errorf("openstack: server %s is %s: %w", s.ID, s.Status, context.Cause(ctx))))
		case <-time.After(pollInterval):
		}
		if s, err = f.api.Server(ctx, s.ID); err != nil {
			return infra("machine "+name, err)
		}
		switch s.Status {
		case "BUILD", "ACTIVE":
		case "ERROR":
			return fail(platform.Infra("machine "+name, fmt.Errorf("openstack: server %s is in ERROR: %s", s.ID, s.Fault)))
		default:
			// A guest that powered off at once is SHUTOFF before a poll
			// saw it ACTIVE: it will not become ACTIVE by itself.
			return fail(fmt.Errorf("machine %s: server %s is %s, not starting (see its console)", name, s.ID, s.Status))
		}
	}
	id := s.ID
	r := cloud.Running{PublicIP: public, PrivateIP: port.IP, Watch: func(ctx context.Context) error { return f.watchActive(ctx, id) }}
	if s.Simulated {
		r.Simulator = "strata's OpenStack simulator"
	}
	if joined, err := cloud.Join(ctx, c.BaseCluster, m, "server "+s.ID+" ("+name+")", r, sshUser, f.flags.BootTimeout, rendered); err != nil {
		if !joined {
			return fail(err)
		}
		return nil, err
	}
	return m, nil
}

// watchInterval is how often a server waited on for SSH is looked at, to
// end the wait when it stopped: seldom enough for Nova's rate limits.
var watchInterval = 10 * time.Second

// watchActive polls an ACTIVE server until it leaves ACTIVE (a guest that
// powers off is SHUTOFF) and says so; nil when ctx ends first.
func (f *flight) watchActive(ctx context.Context, id string) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(watchInterval):
		}
		s, err := f.api.Server(ctx, id)
		switch {
		case ctx.Err() != nil:
			return nil
		case api.IsNotFound(err):
			return fmt.Errorf("server %s is gone", id)
		case err == nil && s.Status != "ACTIVE":
			return fmt.Errorf("server %s is %s (a guest that powers off is SHUTOFF: see its console)", id, s.Status)
		}
	}
}

// Destroy destroys the machines, then anything else of the cluster: a
// machine whose create the caller gave up on while OpenStack went on.
func (c *cluster) Destroy(ctx context.Context) error {
	err := c.BaseCluster.Destroy(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if serr := sweep(ctx, c.flight.api, c.path+"/"); serr != nil {
		err = errors.Join(err, serr)
	}
	return err
}

// machineName is a server name (and host name) for a cluster's index-th
// machine.
func machineName(clusterName string, index int) string {
	n := cloud.Slug(clusterName, 50)
	if n == "" {
		n = "m"
	}
	return fmt.Sprintf("%s-%d", n, index)
}
