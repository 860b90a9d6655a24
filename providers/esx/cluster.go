package esx

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/esx/api"
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
// variables Afterburn (coreos-metadata) sets on VMware.
var vars = map[string]string{"public_ipv4": "${COREOS_VMWARE_IPV4}", "private_ipv4": "${COREOS_VMWARE_IPV4}"}

// guestinfo is what a machine is given through guestinfo: the userdata
// where its kind's reader looks (Ignition's key, else cloud-init's), and
// cloud-init's metadata with the host name and the keys.
func guestinfo(name string, ud conf.Rendered, keys []string) map[string]string {
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	info := map[string]string{}
	switch ud.Kind {
	case conf.KindEmpty:
	case conf.KindIgnition:
		info["guestinfo.ignition.config.data"], info["guestinfo.ignition.config.data.encoding"] = b64(ud.Data), "base64"
	default:
		info["guestinfo.userdata"], info["guestinfo.userdata.encoding"] = b64(ud.Data), "base64"
	}
	md := fmt.Sprintf("instance-id: %s\nlocal-hostname: %s\n", name, name)
	if len(keys) > 0 {
		md += "public-keys:\n"
		for _, k := range keys {
			md += fmt.Sprintf("  - %q\n", strings.TrimSpace(k))
		}
	}
	info["guestinfo.metadata"], info["guestinfo.metadata.encoding"] = b64([]byte(md)), "base64"
	return info
}

// NewMachine clones the template with the userdata, powers it on, and
// returns when its guest reports an address and it answers SSH (a
// simulated one only reports an address). A failure of vSphere is a
// platform error (platform.IsInfra); whatever the failure, nothing is
// left behind.
func (c *cluster) NewMachine(ctx context.Context, ud *conf.UserData) (platform.Machine, error) {
	f := c.flight
	index := c.NextIndex()
	rendered, err := c.RenderUserData(ud, platform.UserDataOptions{User: sshUser, Vars: vars})
	if err != nil {
		return nil, err
	}
	name := machineName(c.Name(), index)
	ctx, cancel := context.WithTimeoutCause(ctx, f.flags.BootTimeout,
		fmt.Errorf("machine %s: no address within --esx-boot-timeout %v", name, f.flags.BootTimeout))
	defer cancel()
	m := &machine{cluster: c, path: c.path + "/" + strings.ToLower(rand.Text()[:8]), name: name}
	fail := func(err error) (platform.Machine, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if derr := m.Destroy(dctx); derr != nil {
			err = errors.Join(err, fmt.Errorf("and cleaning up: %w", derr))
		}
		return nil, err
	}
	vm, err := f.api.Clone(ctx, api.MachineSpec{Name: name, Template: f.flags.Template, Annotation: mark(time.Now(), m.path),
		ExtraConfig: guestinfo(name, rendered, c.MetadataSSHKeys()), Console: !f.flags.NoConsole})
	if err != nil {
		return fail(platform.Infra("create "+name, fmt.Errorf("esx: %w", cloud.WithCause(ctx, err))))
	}
	m.Machine = cloud.NewMachine(vm.Ref.Value, map[string]string{"template": f.flags.Template, "name": name})
	if err := f.api.PowerOn(ctx, vm.Ref); err != nil {
		return fail(platform.Infra("machine "+name, fmt.Errorf("esx: %w", cloud.WithCause(ctx, err))))
	}
	ip, err := f.api.WaitForIP(ctx, vm.Ref)
	if err != nil {
		return fail(platform.Infra("machine "+name, fmt.Errorf("esx: %s: %w", vm.Ref.Value, cloud.WithCause(ctx, err))))
	}
	r := cloud.Running{PublicIP: ip, PrivateIP: ip}
	if f.sim {
		r.Simulator = "govmomi's vCenter simulator (vcsim)"
	}
	if joined, err := cloud.Join(ctx, c.BaseCluster, m, "virtual machine "+vm.Ref.Value+" ("+name+")", r, sshUser, f.flags.BootTimeout, rendered); err != nil {
		if !joined {
			return fail(err)
		}
		return nil, err
	}
	return m, nil
}

// Destroy destroys the machines, then any machine of the cluster whose
// create the caller gave up on while vSphere went on.
func (c *cluster) Destroy(ctx context.Context) error {
	err := c.BaseCluster.Destroy(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if serr := sweep(ctx, c.flight.api, c.path+"/"); serr != nil {
		err = errors.Join(err, serr)
	}
	return err
}

// machineName is a VM name (and host name) for a cluster's index-th
// machine, with a random part: VM names are unique in a folder, and a
// cluster made again under its name gets machines of its own.
func machineName(clusterName string, index int) string {
	n := cloud.Slug(clusterName, 44)
	if n == "" {
		n = "m"
	}
	return fmt.Sprintf("%s-%d-%s", n, index, strings.ToLower(rand.Text()[:5]))
}
