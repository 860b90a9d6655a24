package azure

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/api"
	"golang.org/x/crypto/ssh"
)

type cluster struct {
	*platform.BaseCluster
	flight *flight
}

// sshUser is the machines' admin user, the one Flatcar and Fedora CoreOS
// images have.
const sshUser = "core"

// vars are what $public_ipv4 and $private_ipv4 become in userdata: the
// variables Afterburn (coreos-metadata) sets on Azure, as mantle does.
var vars = map[string]string{"public_ipv4": "${COREOS_AZURE_IPV4_VIRTUAL}", "private_ipv4": "${COREOS_AZURE_IPV4_DYNAMIC}"}

// NewMachine makes a public IP address, a network interface and a
// virtual machine, and returns when Azure says the machine is running and
// it answers SSH (a simulated one only runs). A failure of Azure is a
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
		fmt.Errorf("machine %s: not running within --azure-boot-timeout %v", name, f.flags.BootTimeout))
	defer cancel()
	keys := c.MetadataSSHKeys()
	if len(keys) == 0 {
		// Azure wants a key or a password for the admin user; this key
		// is nobody's, so the machine gets no key but the userdata's.
		k, err := unusableKey()
		if err != nil {
			return nil, err
		}
		keys = []string{k}
	}
	if len(rendered.Data) > api.CustomDataMax {
		return nil, fmt.Errorf("machine %s: userdata is %d bytes, more than Azure's custom data limit of %d", name, len(rendered.Data), api.CustomDataMax)
	}
	m := &machine{cluster: c, Machine: cloud.NewMachine(name, map[string]string{"size": f.flags.Size, "location": f.api.Location(), "image": f.image.String()})}
	// Once asked for, the resources may exist: any failure deletes them.
	fail := func(err error) (platform.Machine, error) {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
		defer cancel()
		if derr := m.Destroy(dctx); derr != nil {
			err = errors.Join(err, fmt.Errorf("and cleaning up: %w", derr))
		}
		return nil, err
	}
	tags := Tags(nil, time.Now())
	nic, err := f.api.CreateInterface(ctx, f.group, name, f.subnet, tags)
	if err != nil {
		return fail(platform.Infra("create "+name, fmt.Errorf("azure: %w", cloud.WithCause(ctx, err))))
	}
	spec := api.VMSpec{Group: f.group, Name: name, Size: f.flags.Size, Image: f.image, AdminUser: sshUser, SSHKeys: keys,
		CustomData: rendered.Data, NICID: nic.ID, Tags: tags}
	if err := f.api.CreateVM(ctx, spec); err != nil {
		return fail(platform.Infra("create "+name, fmt.Errorf("azure: %w", cloud.WithCause(ctx, err))))
	}
	vm, err := f.api.GetVM(ctx, f.group, name)
	if err == nil && vm.Power != "running" && vm.Power != "starting" {
		err = fmt.Errorf("virtual machine %s is %s, not running", name, vm.Power)
	}
	if err != nil {
		return fail(platform.Infra("machine "+name, fmt.Errorf("azure: %w", cloud.WithCause(ctx, err))))
	}
	r := cloud.Running{PublicIP: nic.PublicIP, PrivateIP: nic.PrivateIP, Watch: func(ctx context.Context) error { return f.watchRunning(ctx, name) }}
	if vm.Simulated {
		r.Simulator = "strata's Azure simulator"
	}
	if joined, err := cloud.Join(ctx, c.BaseCluster, m, name, r, sshUser, f.flags.BootTimeout, rendered); err != nil {
		if !joined {
			return fail(err)
		}
		return nil, err
	}
	return m, nil
}

// watchInterval is how often a machine waited on for SSH is looked at, to
// end the wait when it stopped: seldom enough for ARM's read quota.
var watchInterval = 10 * time.Second

// watchRunning polls a machine's instance view until it is no longer
// running (a guest that powers off is stopped) and says so; nil when ctx
// ends first.
func (f *flight) watchRunning(ctx context.Context, name string) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(watchInterval):
		}
		vm, err := f.api.GetVM(ctx, f.group, name)
		switch {
		case ctx.Err() != nil:
			return nil
		case api.IsNotFound(err):
			return fmt.Errorf("virtual machine %s is gone", name)
		case err == nil && vm.Power != "running" && vm.Power != "starting":
			return fmt.Errorf("virtual machine %s is %s (a guest that powers off is stopped: see its boot diagnostics)", name, vm.Power)
		}
	}
}

// unusableKey is an SSH public key whose private half is thrown away.
func unusableKey() (string, error) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", err
	}
	k, err := ssh.NewPublicKey(pub)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k))) + " strata-no-metadata-key", nil
}

var notNameChars = regexp.MustCompile(`[^a-z0-9]+`)

// machineName is a virtual machine name (and Linux host name) for a
// cluster's index-th machine: lower case, digits and dashes, at most 60,
// with a random part so that a cluster made again under the same name
// gets machines of its own.
func machineName(clusterName string, index int) string {
	n := strings.Trim(notNameChars.ReplaceAllString(strings.ToLower(clusterName), "-"), "-")
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = "m-" + n
	}
	if len(n) > 44 {
		n = strings.TrimRight(n[:44], "-")
	}
	return fmt.Sprintf("%s-%d-%s", n, index, strings.ToLower(rand.Text()[:5]))
}
