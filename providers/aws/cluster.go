package aws

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/api"
)

type cluster struct {
	*platform.BaseCluster
	flight *flight
}

// pollInterval is how often a launch or a termination is checked on.
var pollInterval = 2 * time.Second

// cleanupTimeout bounds deleting what a failed create made, which goes on
// after the caller's context is cancelled.
const cleanupTimeout = 5 * time.Minute

// vars are what $public_ipv4 and $private_ipv4 become in userdata: the
// variables Afterburn (coreos-metadata) sets on EC2, as mantle does.
var vars = map[string]string{"public_ipv4": "${COREOS_EC2_IPV4_PUBLIC}", "private_ipv4": "${COREOS_EC2_IPV4_LOCAL}"}

// NewMachine launches an instance and returns when it runs and answers
// SSH (a simulated one only runs). A failure of EC2 is a platform error
// (platform.IsInfra); whatever the failure, nothing is left behind.
func (c *cluster) NewMachine(ctx context.Context, ud *conf.UserData) (platform.Machine, error) {
	f := c.flight
	index := c.NextIndex()
	rendered, err := c.RenderUserData(ud, platform.UserDataOptions{User: "core", Vars: vars})
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-%s-%d", f.Name(), c.Name(), index)
	tags := Tags(map[string]string{"Name": name, flightTag: f.Name()})
	spec := api.InstanceSpec{
		// One per machine asked for, the same for every retry of its
		// launch: a launch retried after a lost answer finds the instance
		// the first one made instead of making a second, while a later
		// cluster of the same name (a test run again) gets its own.
		ClientToken:     clientToken(),
		ImageID:         f.flags.AMI,
		InstanceType:    f.flags.InstanceType,
		SecurityGroupID: f.network.SecurityGroupID,
		SubnetID:        f.network.SubnetID,
		UserData:        rendered.Data,
		Tags:            tags,
		IMDSv2Required:  !f.flags.IMDSv1,
	}
	if len(c.MetadataSSHKeys()) > 0 {
		spec.KeyName = f.keyName
	}
	ctx, cancel := context.WithTimeoutCause(ctx, f.flags.BootTimeout,
		fmt.Errorf("machine %s: not running within --aws-boot-timeout %v", name, f.flags.BootTimeout))
	defer cancel()
	in, err := c.launch(ctx, spec)
	if err != nil {
		err = platform.Infra("launch "+name, err)
		if !api.IsTerminal(err) && !api.IsNotFound(err) {
			// The launch may have happened with its answer lost (or
			// the caller gave up while it was under way).
			if terr := f.terminateTagged(ctx, map[string]string{"Name": name, flightTag: f.Name()}, "an instance the failed launch of "+name+" may have made"); terr != nil {
				err = errors.Join(err, fmt.Errorf("and cleaning up: %w", terr))
			}
		}
		return nil, err
	}
	m := &machine{cluster: c, Machine: cloud.NewMachine(in.ID, map[string]string{"size": f.flags.InstanceType, "region": f.api.Region(), "image": f.flags.AMI})}
	// From here the instance exists: any failure terminates it.
	fail := func(err error) (platform.Machine, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if derr := m.Destroy(dctx); derr != nil {
			err = errors.Join(err, fmt.Errorf("and cleaning up: %w", derr))
		}
		return nil, err
	}
	if in, err = f.api.WaitRunning(ctx, m.ID(), pollInterval); err != nil {
		return fail(platform.Infra(fmt.Sprintf("machine %s (%s)", m.ID(), name), err))
	}
	r := cloud.Running{PublicIP: in.PublicIP, PrivateIP: in.PrivateIP,
		Watch: func(ctx context.Context) error { return f.api.WatchRunning(ctx, m.ID(), watchInterval) }}
	if in.Simulated {
		r.Simulator = "strata's EC2 simulator"
	}
	if joined, err := cloud.Join(ctx, c.BaseCluster, m, fmt.Sprintf("%s (%s)", m.ID(), name), r, "core", f.flags.BootTimeout, rendered); err != nil {
		if !joined {
			return fail(err)
		}
		return nil, err
	}
	return m, nil
}

// watchInterval is how often a machine waited on for SSH is described, to
// end the wait when it stopped: seldom enough for EC2's request limits.
var watchInterval = 10 * time.Second

// launch runs the instance, trying again with the same client token
// while EC2's trouble is passing.
func (c *cluster) launch(ctx context.Context, spec api.InstanceSpec) (*api.Instance, error) {
	for attempt := 1; ; attempt++ {
		in, err := c.flight.api.RunInstance(ctx, spec)
		if err == nil || api.IsTerminal(err) || api.IsNotFound(err) || attempt == 3 || ctx.Err() != nil {
			return in, err
		}
		c.flight.Logger().Warn("launch failed; trying again", "attempt", attempt, "err", err)
	}
}

// clientToken is a new idempotency token (EC2 takes up to 64 ASCII
// characters).
func clientToken() string {
	return rand.Text()
}
