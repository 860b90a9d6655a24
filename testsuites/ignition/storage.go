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
		Distros:     distros,
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
	register.Register(register.Test{
		Name:            "ignition.storage.partitions",
		Description:     "Ignition partitions an extra disk (GPT: a labelled partition of a given size and one for the rest), makes an ext4 filesystem on the first by its partition label, writes a file into it, and a mount unit mounts it at boot.",
		ClusterSize:     1,
		Tags:            []string{"ignition", "storage"},
		Distros:         distros,
		Platforms:       []string{"qemu"},
		AdditionalDisks: []string{"256M"},
		// The filesystem names its device by the link udev makes for the
		// new partition, which Ignition waits for.
		UserData: conf.Ignition(`{
  "ignition": {"version": "3.3.0"},
  "storage": {
    "disks": [{"device": "/dev/vdb", "wipeTable": true, "partitions": [
      {"number": 1, "label": "strata-part", "sizeMiB": 64},
      {"number": 2, "label": "strata-rest"}]}],
    "filesystems": [{"device": "/dev/disk/by-partlabel/strata-part", "format": "ext4", "wipeFilesystem": true, "path": "/var/mnt/part"}],
    "files": [{"path": "/var/mnt/part/hello", "mode": 420, "contents": {"source": "data:,on%20the%20partition%0A"}}]
  },
  "systemd": {"units": [{"name": "var-mnt-part.mount", "enabled": true,
    "contents": "[Unit]\nDescription=strata test partition\n[Mount]\nWhat=/dev/disk/by-partlabel/strata-part\nWhere=/var/mnt/part\nType=ext4\n[Install]\nWantedBy=local-fs.target\n"}]}
}`),
		Run: partitionsMounted,
	})
}

func partitionsMounted(c cluster.TestCluster) {
	expect(c, c.Machines()[0], []check{
		{"lsblk -n -o PARTLABEL /dev/vdb1", "strata-part"},
		{"lsblk -n -b -o SIZE /dev/vdb1", "67108864"},
		{"lsblk -n -o PARTLABEL /dev/vdb2", "strata-rest"},
		{"findmnt -n -o SOURCE,FSTYPE /var/mnt/part", "/dev/vdb1 ext4"},
		{"cat /var/mnt/part/hello", "on the partition"},
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
