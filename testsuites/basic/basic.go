// Package basic registers the tests every image must pass: the machine
// answers SSH and reports command failures, survives a reboot, runs a
// native function through kolet, runs its userdata, and reaches the other
// machines of its cluster over the private network.
package basic

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/sshclient"
)

func init() {
	register.Register(register.Test{
		Name:        "basic.ssh",
		Description: "The machine answers SSH, runs commands and reports their exit status.",
		ClusterSize: 1,
		Tags:        []string{"basic", "smoke"},
		Run:         sshWorks,
	})
	register.Register(register.Test{
		Name:        "basic.reboot",
		Description: "The machine comes back from a reboot with a new boot ID and answers SSH.",
		ClusterSize: 1,
		Tags:        []string{"basic", "reboot"},
		Run:         rebootWorks,
	})
	register.Register(register.Test{
		Name:        "basic.native",
		Description: "kolet runs a native Go function on the machine.",
		ClusterSize: 1,
		Tags:        []string{"basic", "kolet"},
		Run:         func(c cluster.TestCluster) { nativeWorks(c) },
		NativeFuncs: map[string]register.NativeFunc{
			"hostname": checkHostname,
		},
	})
}

func sshWorks(c cluster.TestCluster) {
	m := c.Machines()[0]
	if out := strings.TrimSpace(string(c.MustSSH(m, "uname -s"))); out != "Linux" {
		c.Errorf("uname -s = %q, want Linux", out)
	}
	_, err := c.SSH(m, "exit 3")
	var ee *sshclient.ExitError
	if !errors.As(err, &ee) || ee.Status != 3 {
		c.Errorf("exit 3 reported as %v, want exit status 3", err)
	}
}

func rebootWorks(c cluster.TestCluster) {
	m := c.Machines()[0]
	// Reboot a machine that finished booting: a reboot mid-boot stops
	// units (cloud-init) half-way, and the journal check rightly fails them.
	c.MustSSH(m, "if command -v systemctl >/dev/null; then systemctl is-system-running --wait >/dev/null || true; fi")
	before := strings.TrimSpace(string(c.MustSSH(m, "cat /proc/sys/kernel/random/boot_id")))
	if err := m.Reboot(c.Context()); err != nil {
		c.Fatalf("reboot %s: %v", m.ID(), err)
	}
	after := strings.TrimSpace(string(c.MustSSH(m, "cat /proc/sys/kernel/random/boot_id")))
	if before == after || after == "" {
		c.Errorf("boot id %q before and %q after reboot", before, after)
	}
}

func nativeWorks(c cluster.TestCluster) {
	for _, m := range c.Machines() {
		if err := c.RunNative("hostname", m); err != nil {
			c.Error(err)
		}
	}
}

// checkHostname runs on the machine, inside kolet.
func checkHostname() error {
	h, err := os.Hostname()
	if err != nil {
		return fmt.Errorf("hostname: %w", err)
	}
	if h == "" {
		return errors.New("empty hostname")
	}
	fmt.Println("hostname:", h)
	return nil
}
