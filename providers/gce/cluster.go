package gce

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/api"
)

type cluster struct {
	*platform.BaseCluster
	flight *flight
}

// pollInterval is how often an operation or a starting instance is
// checked on.
var pollInterval = 2 * time.Second

// cleanupTimeout bounds deleting what a failed create made, which goes on
// after the caller's context is cancelled.
const cleanupTimeout = 5 * time.Minute

// vars are what $public_ipv4 and $private_ipv4 become in userdata: the
// variables Afterburn (coreos-metadata) sets on Compute Engine, as mantle
// does.
var vars = map[string]string{"public_ipv4": "${COREOS_GCE_IP_EXTERNAL_0}", "private_ipv4": "${COREOS_GCE_IP_LOCAL_0}"}

// NewMachine inserts an instance and returns when it runs and answers SSH
// (a simulated one only runs). A failure of Compute Engine is a platform
// error (platform.IsInfra); whatever the failure, nothing is left behind.
func (c *cluster) NewMachine(ctx context.Context, ud *conf.UserData) (platform.Machine, error) {
	f := c.flight
	index := c.NextIndex()
	rendered, err := c.RenderUserData(ud, platform.UserDataOptions{User: "core", Vars: vars})
	if err != nil {
		return nil, err
	}
	name := instanceName(fmt.Sprintf("%s-%s-%d", f.Name(), c.Name(), index))
	meta := map[string]string{"user-data": string(rendered.Data)}
	if keys := c.MetadataSSHKeys(); len(keys) > 0 {
		var lines []string
		for _, k := range keys {
			lines = append(lines, "core:"+strings.TrimSpace(k))
		}
		meta["ssh-keys"] = strings.Join(lines, "\n")
	}
	spec := api.InstanceSpec{
		Name: name, MachineType: f.flags.MachineType, Image: f.image, Network: f.flags.Network,
		DiskSizeGB: f.flags.DiskSizeGB, Labels: Labels(map[string]string{flightLabel: instanceName(f.Name())}), Metadata: meta,
		// The same for every attempt at this machine, so an insert
		// retried after a lost answer gets the first one's operation
		// instead of a conflict; any other machine's differs (another
		// flight's, or a later cluster of the same name, a test run
		// again), since Compute Engine answers a reused ID with the old
		// operation for a while.
		RequestID: api.RequestID(f.nonce + "/" + name + "/" + rand.Text()),
	}
	ctx, cancel := context.WithTimeoutCause(ctx, f.flags.BootTimeout,
		fmt.Errorf("machine %s: not running within --gce-boot-timeout %v", name, f.flags.BootTimeout))
	defer cancel()
	m := &machine{cluster: c, Machine: cloud.NewMachine(name, map[string]string{"size": f.flags.MachineType, "zone": f.api.Zone(), "image": f.image})}
	// Once asked for, the instance may exist: any failure deletes it.
	fail := func(err error) (platform.Machine, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if derr := m.Destroy(dctx); derr != nil {
			err = errors.Join(err, fmt.Errorf("and cleaning up: %w", derr))
		}
		return nil, err
	}
	op, err := f.api.InsertInstance(ctx, spec)
	if err != nil {
		err = platform.Infra("create "+name, err)
		if api.IsTerminal(err) || api.IsNotFound(err) {
			return nil, err // refused outright: nothing was made
		}
		// The insert may have been taken with its answer lost, or still
		// be on its way when the caller gave up: a delete now could
		// come first and find nothing. Sent again with its request ID,
		// it settles that (Compute Engine answers the first one's
		// operation, or makes the instance now and ignores the first
		// when it comes), and the delete finds what there is.
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		if again, aerr := f.api.InsertInstance(dctx, spec); aerr == nil {
			f.api.Wait(dctx, again, pollInterval)
		}
		cancel()
		return fail(err)
	}
	if err := f.api.Wait(ctx, op, pollInterval); err != nil {
		return fail(platform.Infra("create "+name, err))
	}
	in, err := c.waitRunning(ctx, name)
	if err != nil {
		return fail(platform.Infra("machine "+name, err))
	}
	r := cloud.Running{PublicIP: in.PublicIP, PrivateIP: in.PrivateIP, Watch: func(ctx context.Context) error { return c.watchRunning(ctx, name) }}
	if in.Simulated {
		r.Simulator = "strata's Compute Engine simulator"
	}
	if joined, err := cloud.Join(ctx, c.BaseCluster, m, name, r, "core", f.flags.BootTimeout, rendered); err != nil {
		if !joined {
			return fail(err)
		}
		return nil, err
	}
	return m, nil
}

// waitRunning polls the instance until it is RUNNING.
func (c *cluster) waitRunning(ctx context.Context, name string) (*api.Instance, error) {
	for {
		in, err := c.flight.api.Instance(ctx, name)
		switch {
		case err != nil && (api.IsTerminal(err) || api.IsNotFound(err) || ctx.Err() != nil):
			return nil, err
		case err == nil && in.Status == "RUNNING":
			return in, nil
		case err == nil && (in.Status == "STOPPING" || in.Status == "TERMINATED" || in.Status == "SUSPENDED"):
			return nil, fmt.Errorf("instance is %s, not starting", in.Status)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("not running: %w", context.Cause(ctx))
		case <-time.After(pollInterval):
		}
	}
}

// watchInterval is how often a machine waited on for SSH is looked at, to
// end the wait when it stopped: seldom enough for the API's quotas.
var watchInterval = 10 * time.Second

// watchRunning polls a running instance until it leaves RUNNING (a guest
// that powers off is TERMINATED) and says so; nil when ctx ends first.
func (c *cluster) watchRunning(ctx context.Context, name string) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(watchInterval):
		}
		in, err := c.flight.api.Instance(ctx, name)
		switch {
		case ctx.Err() != nil:
			return nil
		case api.IsNotFound(err):
			return fmt.Errorf("instance %s is gone", name)
		case err == nil && in.Status != "RUNNING":
			return fmt.Errorf("instance %s is %s (a guest that powers off is terminated: see its console)", name, in.Status)
		}
	}
}

var notNameChars = regexp.MustCompile(`[^a-z0-9]+`)

// instanceName makes a valid Compute Engine name (lower case, digits,
// dashes, at most 63) out of any; a shortened one keeps a hash of the
// whole so names stay distinct.
func instanceName(s string) string {
	n := strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = "m-" + n
	}
	if len(n) > 63 {
		sum := sha256.Sum256([]byte(s))
		n = strings.TrimRight(n[:54], "-") + fmt.Sprintf("-%x", sum[:4])
	}
	return n
}
