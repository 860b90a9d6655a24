package ignition

import (
	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/register"
)

func init() {
	register.Register(register.Test{
		Name:        "ignition.firstboot.once",
		Description: "Ignition runs on the first boot only: after a reboot a file it wrote keeps what the machine changed, and a user it made is not made again.",
		ClusterSize: 1,
		Tags:        []string{"ignition", "reboot"},
		Distros:     distros,
		UserData: conf.Ignition(`{
  "ignition": {"version": "3.3.0"},
  "passwd": {"users": [{"name": "once"}]},
  "storage": {"files": [{"path": "/etc/strata-test/once", "mode": 420, "contents": {"source": "data:,written%20by%20Ignition%0A"}}]}
}`),
		Run: ranOnce,
	})
}

func ranOnce(c cluster.TestCluster) {
	m := c.Machines()[0]
	expect(c, m, []check{{"cat /etc/strata-test/once", "written by Ignition"}})
	// A user Ignition made again would fail the boot (useradd: exists);
	// one removed would come back.
	c.MustSSH(m, "echo changed on the machine | sudo tee /etc/strata-test/once >/dev/null && sudo userdel once")
	bootID := string(c.MustSSH(m, "cat /proc/sys/kernel/random/boot_id"))
	if err := m.Reboot(c.Context()); err != nil {
		c.Fatalf("reboot: %v", err)
	}
	if again := string(c.MustSSH(m, "cat /proc/sys/kernel/random/boot_id")); again == bootID {
		c.Fatalf("the boot ID is still %s: the machine did not reboot", bootID)
	}
	expect(c, m, []check{
		{"cat /etc/strata-test/once", "changed on the machine"},
		{"getent passwd once >/dev/null && echo made-again || echo gone", "gone"},
	})
}
