package images

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestIgnitionStaticNodes runs the build's step on the modules.devname of
// the ignition image's kernel (6.1, cloud) and compares its output with
// what kmod static-nodes --format=tmpfiles wrote from it on a machine.
func TestIgnitionStaticNodes(t *testing.T) {
	root := t.TempDir()
	modules := filepath.Join(root, "lib/modules/6.1.0-57-cloud-amd64")
	for _, d := range []string{modules, filepath.Join(root, "etc/tmpfiles.d")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	devname := `# Device nodes to trigger on-demand module loading.
autofs4 autofs c10:235
fuse fuse c10:229
btrfs btrfs-control c10:234
tun net/tun c10:200
dm_mod mapper/control c10:236
vfio vfio/vfio c10:196
loop loop b7:0
vhost_vsock vhost-vsock c10:241
`
	if err := os.WriteFile(filepath.Join(modules, "modules.devname"), []byte(devname), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("sh", "-c", ignitionStaticNodes, "sh", root).CombinedOutput(); err != nil {
		t.Fatalf("static nodes step: %v: %s", err, out)
	}
	got, err := os.ReadFile(filepath.Join(root, "etc/tmpfiles.d/static-nodes.conf"))
	if err != nil {
		t.Fatal(err)
	}
	// kmod's, from the same lines (the block device made up: none of
	// the kernel's is, but kmod writes them as b!).
	want := `c! /dev/autofs 0600 - - - 10:235
c! /dev/fuse 0600 - - - 10:229
c! /dev/btrfs-control 0600 - - - 10:234
d /dev/net 0755 - - -
c! /dev/net/tun 0600 - - - 10:200
d /dev/mapper 0755 - - -
c! /dev/mapper/control 0600 - - - 10:236
d /dev/vfio 0755 - - -
c! /dev/vfio/vfio 0600 - - - 10:196
b! /dev/loop 0600 - - - 7:0
c! /dev/vhost-vsock 0600 - - - 10:241
`
	if string(got) != want {
		t.Errorf("static-nodes.conf:\n%s\nwant (kmod's):\n%s", got, want)
	}
}
