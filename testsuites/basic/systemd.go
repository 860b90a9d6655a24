package basic

import (
	"strings"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/register"
)

// cloudInitDistros are the distributions whose images run cloud-init and
// systemd.
var cloudInitDistros = []string{"debian"}

// systemdDistros are the distributions whose images run systemd: the
// cloud-init ones, strata's ignition image, Fedora CoreOS and Flatcar.
var systemdDistros = append([]string{"strata-ignition", "fcos", "flatcar"}, cloudInitDistros...)

func init() {
	register.Register(register.Test{
		Name:        "basic.userdata.cloudconfig",
		Description: "cloud-config userdata writes a file and starts a systemd unit it installs.",
		ClusterSize: 1,
		Tags:        []string{"basic", "userdata", "systemd"},
		Distros:     cloudInitDistros,
		UserData: conf.CloudConfig(`write_files:
  - path: /etc/strata/userdata-test
    content: "written by cloud-config at $private_ipv4\n"
  - path: /etc/systemd/system/strata-test.service
    content: |
      [Unit]
      Description=strata userdata test unit
      [Service]
      Type=oneshot
      RemainAfterExit=yes
      ExecStart=/bin/sh -c 'echo started > /run/strata-test-unit'
      [Install]
      WantedBy=multi-user.target
runcmd:
  - [systemctl, daemon-reload]
  - [systemctl, enable, --now, strata-test.service]
`),
		Run: cloudConfigApplied,
	})
	register.Register(register.Test{
		Name:        "basic.systemd.running",
		Description: "systemd finishes booting with no failed unit.",
		ClusterSize: 1,
		Tags:        []string{"basic", "systemd"},
		Distros:     systemdDistros,
		Run:         systemdRunning,
	})
}

func cloudConfigApplied(c cluster.TestCluster) {
	m := c.Machines()[0]
	// cloud-init's status says whether every module ran.
	if out, err := c.SSH(m, "cloud-init status --wait --long"); err != nil {
		c.Errorf("cloud-init did not finish cleanly: %v\n%s", err, out)
	}
	want := "written by cloud-config at " + m.PrivateIP()
	if got := strings.TrimSpace(string(c.MustSSH(m, "cat /etc/strata/userdata-test"))); got != want {
		c.Errorf("file written by userdata: %q, want %q", got, want)
	}
	if got := strings.TrimSpace(string(c.MustSSH(m, "systemctl is-active strata-test.service || true"))); got != "active" {
		c.Errorf("strata-test.service is %q, want active", got)
	}
	if got := strings.TrimSpace(string(c.MustSSH(m, "cat /run/strata-test-unit"))); got != "started" {
		c.Errorf("the unit's ExecStart did not run: %q", got)
	}
}

func systemdRunning(c cluster.TestCluster) {
	m := c.Machines()[0]
	state := strings.TrimSpace(string(c.MustSSH(m, "systemctl is-system-running --wait || true")))
	if state != "running" {
		failed := c.MustSSH(m, "systemctl --failed --no-legend --plain || true")
		c.Errorf("system is %q, not running; failed units:\n%s", state, failed)
	}
}
