package ignition

import (
	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/register"
)

func init() {
	register.Register(register.Test{
		Name:        "ignition.systemd.units",
		Description: "A unit the config writes and enables runs at boot; a drop-in changes it; a masked unit is masked; a disabled one does not run.",
		ClusterSize: 1,
		Tags:        []string{"ignition", "systemd"},
		Distros:     distros,
		UserData: conf.Ignition(`{
  "ignition": {"version": "3.3.0"},
  "systemd": {
    "units": [
      {"name": "strata-enabled.service", "enabled": true,
       "contents": "[Unit]\nDescription=enabled by Ignition\n[Service]\nType=oneshot\nRemainAfterExit=yes\nEnvironment=WORD=unit\nExecStart=/bin/sh -c 'echo $WORD > /run/strata-enabled'\n[Install]\nWantedBy=multi-user.target\n",
       "dropins": [{"name": "10-word.conf", "contents": "[Service]\nEnvironment=WORD=dropin\n"}]},
      {"name": "strata-disabled.service", "enabled": false,
       "contents": "[Unit]\nDescription=disabled by Ignition\n[Service]\nType=oneshot\nExecStart=/bin/touch /run/strata-disabled\n[Install]\nWantedBy=multi-user.target\n"},
      {"name": "strata-masked.service", "mask": true}
    ]
  }
}`),
		Run: unitsApplied,
	})
}

func unitsApplied(c cluster.TestCluster) {
	m := c.Machines()[0]
	c.MustSSH(m, "systemctl is-system-running --wait >/dev/null || true")
	expect(c, m, []check{
		{"systemctl is-enabled strata-enabled.service || true", "enabled"},
		{"systemctl is-active strata-enabled.service || true", "active"},
		// The drop-in's Environment= wins over the unit's.
		{"cat /run/strata-enabled", "dropin"},
		{"systemctl is-enabled strata-disabled.service || true", "disabled"},
		{"test -e /run/strata-disabled && echo ran || echo did-not-run", "did-not-run"},
		{"systemctl is-enabled strata-masked.service || true", "masked"},
		{"readlink /etc/systemd/system/strata-masked.service", "/dev/null"},
	})
}
