package ignition

import (
	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/register"
)

func init() {
	register.Register(register.Test{
		Name:        "ignition.storage.filesystem",
		Description: "An ext4 filesystem Ignition makes on an extra disk holds the file it writes there, and a mount unit it enables mounts it at boot.",
		ClusterSize: 1,
		Tags:        []string{"ignition", "storage"},
		Distros:     systemdInitrdDistros,
		// /dev/vdb is the first extra disk on QEMU's virtio bus.
		Platforms:       []string{"qemu"},
		AdditionalDisks: []string{"256M"},
		UserData: conf.Ignition(`{
  "ignition": {"version": "3.3.0"},
  "storage": {
    "filesystems": [{"device": "/dev/vdb", "format": "ext4", "label": "strata-data", "wipeFilesystem": true, "path": "/var/mnt/data"}],
    "files": [{"path": "/var/mnt/data/hello", "mode": 420, "contents": {"source": "data:,on%20the%20extra%20disk%0A"}}]
  },
  "systemd": {"units": [{"name": "var-mnt-data.mount", "enabled": true,
    "contents": "[Unit]\nDescription=strata test data\n[Mount]\nWhat=/dev/disk/by-label/strata-data\nWhere=/var/mnt/data\nType=ext4\n[Install]\nWantedBy=local-fs.target\n"}]}
}`),
		Run: filesystemMounted,
	})
}

func filesystemMounted(c cluster.TestCluster) {
	expect(c, c.Machines()[0], []check{
		{"findmnt -n -o SOURCE,FSTYPE /var/mnt/data", "/dev/vdb ext4"},
		{"sudo blkid -s LABEL -o value /dev/vdb", "strata-data"},
		{"cat /var/mnt/data/hello", "on the extra disk"},
		{"systemctl is-enabled var-mnt-data.mount || true", "enabled"},
	})
}
