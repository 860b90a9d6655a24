package packet

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
	"github.com/strata-os/strata/providers/packet/api"
)

type cluster struct {
	*platform.BaseCluster
	flight *flight
	tag    string // on every device of the cluster
}

// sshUser is the machines' user, the one Flatcar and Fedora CoreOS
// images have.
const sshUser = "core"

// vars are what $public_ipv4 and $private_ipv4 become in userdata: the
// variables Afterburn (coreos-metadata) sets on Equinix Metal.
var vars = map[string]string{"public_ipv4": "${COREOS_PACKET_IPV4_PUBLIC_0}", "private_ipv4": "${COREOS_PACKET_IPV4_PRIVATE_0}"}

// pollInterval is how often a new device is read until it is active, at
// most: the first reads come sooner (an eighth of it, doubling), since a
// device that is quick (or simulated) should not wait the full interval.
var pollInterval = 10 * time.Second

// NewMachine makes a device and returns when the API says it is active
// and it answers SSH (a simulated one is only active). A failure of the
// API is a platform error (platform.IsInfra); whatever the failure,
// nothing is left behind.
func (c *cluster) NewMachine(ctx context.Context, ud *conf.UserData) (platform.Machine, error) {
	f := c.flight
	index := c.NextIndex()
	rendered, err := c.RenderUserData(ud, platform.UserDataOptions{User: sshUser, Vars: vars})
	if err != nil {
		return nil, err
	}
	name := machineName(c.Name(), index)
	if len(rendered.Data) > api.UserDataMax {
		return nil, fmt.Errorf("machine %s: userdata is %d bytes, more than the API's limit of %d", name, len(rendered.Data), api.UserDataMax)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, f.flags.BootTimeout,
		fmt.Errorf("machine %s: not active within --packet-boot-timeout %v", name, f.flags.BootTimeout))
	defer cancel()
	own := "strata-m-" + strings.ToLower(rand.Text()[:10])
	m := &machine{cluster: c, tag: own}
	fail := func(err error) (platform.Machine, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if derr := m.Destroy(dctx); derr != nil {
			err = errors.Join(err, fmt.Errorf("and cleaning up: %w", derr))
		}
		return nil, err
	}
	spec := api.DeviceSpec{Hostname: name, Plan: f.flags.Plan, Metro: f.flags.Metro, OS: f.flags.OS, UserData: string(rendered.Data),
		Tags: []string{CreatedByTag, f.tag, c.tag, own}, Own: own}
	if f.flags.OS == "custom_ipxe" {
		// Every boot through the script: the image is in memory, not on
		// the device's disk.
		spec.IPXEScriptURL, spec.AlwaysPXE = f.flags.IPXEURL, true
	}
	if len(c.MetadataSSHKeys()) > 0 {
		spec.SSHKeys = []string{f.key.ID}
	}
	d, err := f.api.CreateDevice(ctx, spec)
	if err != nil {
		return fail(platform.Infra("create "+name, fmt.Errorf("packet: %w", cloud.WithCause(ctx, err))))
	}
	m.Machine = cloud.NewMachine(d.ID, map[string]string{"plan": f.flags.Plan, "metro": f.flags.Metro, "os": f.flags.OS})
	for wait := pollInterval / 8; d.State != "active"; wait = min(2*wait, pollInterval) {
		select {
		case <-ctx.Done():
			return fail(platform.Infra("machine "+name, fmt.Errorf("packet: device %s is %s: %w", d.ID, d.State, context.Cause(ctx))))
		case <-time.After(wait):
		}
		if d, err = f.api.Device(ctx, d.ID); err != nil {
			return fail(platform.Infra("machine "+name, fmt.Errorf("packet: %w", cloud.WithCause(ctx, err))))
		}
		if d.State == "failed" || d.State == "deleted" {
			return fail(platform.Infra("machine "+name, fmt.Errorf("packet: device %s is %s, not active", d.ID, d.State)))
		}
	}
	m.sos = d.SOS
	r := cloud.Running{PublicIP: d.PublicIP, PrivateIP: d.PrivateIP}
	if d.Simulated {
		r.Simulator = "strata's Equinix Metal simulator"
	}
	if joined, err := cloud.Join(ctx, c.BaseCluster, m, "device "+d.ID+" ("+name+")", r, sshUser, f.flags.BootTimeout, rendered); err != nil {
		if !joined {
			return fail(err)
		}
		return nil, err
	}
	return m, nil
}

// Destroy destroys the machines, then any device with the cluster's tag:
// one whose create the caller gave up on while the API went on.
func (c *cluster) Destroy(ctx context.Context) error {
	err := c.BaseCluster.Destroy(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if derr := c.flight.api.DeleteDevicesWith(ctx, c.tag); derr != nil {
		err = errors.Join(err, fmt.Errorf("packet: %w", derr))
	}
	return err
}

// machineName is a host name for a cluster's index-th machine.
func machineName(clusterName string, index int) string {
	n := cloud.Slug(clusterName, 50)
	if n == "" {
		n = "m"
	}
	return fmt.Sprintf("%s-%d", n, index)
}
