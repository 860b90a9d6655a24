package images

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/images/bootdisk"
)

// The minimal image written as a disk twice, from two builds in two
// caches, gives the same bytes; the description beside it reads back as
// the image it came from. (That every format is the same for the same raw
// disk, bootdisk's tests show.)
func TestMinimalDiskReproducible(t *testing.T) {
	t.Parallel()
	if err := bootdisk.CheckTools(); err != nil {
		t.Skip(err)
	}
	agent := agentBinary(t)
	shared := sharedDebCache(t)
	sums := map[string]string{}
	for i := range 2 {
		cache := t.TempDir()
		if err := os.Symlink(shared, filepath.Join(cache, "debs")); err != nil {
			t.Fatal(err)
		}
		opts := Options{CacheDir: cache, Agent: agent}
		img, err := Build(context.Background(), "minimal", opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"raw", "qcow2"} {
			out := filepath.Join(t.TempDir(), "minimal."+format)
			if err := WriteDisk(context.Background(), img, format, out, opts); err != nil {
				t.Fatal(err)
			}
			sum, err := FileSHA256(out)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				sums[format] = sum
				got, err := LoadDisk(out)
				if err != nil {
					t.Fatal(err)
				}
				if got.Name != "minimal" || got.UserData != "fw_cfg" || got.SSHUser != "root" || got.Distro != MinimalDistro ||
					got.Disk != out || got.Kernel != "" || got.Cmdline != MinimalCmdline {
					t.Errorf("%s described as %+v", format, got)
				}
			} else if sums[format] != sum {
				t.Errorf("%s: two builds differ", format)
			}
		}
	}
}

func TestWriteDiskRefusesUnknownFormat(t *testing.T) {
	err := WriteDisk(context.Background(), &Image{Name: "x"}, "floppy", filepath.Join(t.TempDir(), "x"), Options{})
	if err == nil || !strings.Contains(err.Error(), `"floppy"`) || !strings.Contains(err.Error(), "qcow2") {
		t.Errorf("err = %v", err)
	}
}

func TestSetKernelParam(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"console=ttyS0 root=/dev/vda rw", "console=ttyS0 root=PARTUUID=u rw"},
		{"root=/dev/vda", "root=PARTUUID=u"},
		{"console=ttyS0 quiet", "console=ttyS0 quiet root=PARTUUID=u"},
		{"console=ttyS0 noroot=1", "console=ttyS0 noroot=1 root=PARTUUID=u"},
	} {
		if got := setKernelParam(tc.in, "root", "PARTUUID=u"); got != tc.want {
			t.Errorf("setKernelParam(%q, root) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A disk without a description is taken as an Ignition image with user
// core; a description says otherwise, and a wrong one is named.
func TestLoadDisk(t *testing.T) {
	dir := t.TempDir()
	disk := filepath.Join(dir, "fcos.qcow2")
	if err := os.WriteFile(disk, []byte("disk"), 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := LoadDisk(disk)
	if err != nil {
		t.Fatal(err)
	}
	if img.UserData != "ignition" || img.SSHUser != "core" || img.Name != "fcos" || img.Disk != disk || img.Distro != "" {
		t.Errorf("undescribed disk: %+v", img)
	}
	for _, tc := range []struct {
		info, want string
	}{
		{`{"distro":"flatcar","os_version":"3975.2.0","ssh_user":"core"}`, ""},
		{`{"distro":"debian","userdata":"cloud-init","ssh_user":"debian"}`, ""},
		{`{"distro":"flatcar","colour":"blue"}`, `unknown field "colour"`},
		{`{"kernel":"vmlinuz"}`, "kernel and initrd must be empty"},
		{`{"userdata":"floppy"}`, `userdata "floppy"`},
		{`{"ssh_user":""}`, "ssh_user is empty"},
		{`{"distro":`, "fcos.qcow2.json"},
	} {
		if err := os.WriteFile(disk+DiskInfoSuffix, []byte(tc.info), 0o644); err != nil {
			t.Fatal(err)
		}
		img, err := LoadDisk(disk)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tc.info, err)
			} else if img.Distro == "" || img.Disk != disk {
				t.Errorf("%s: %+v", tc.info, img)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "fcos.qcow2") {
			t.Errorf("%s: err = %v, want one naming the file and %q", tc.info, err, tc.want)
		}
	}
	if _, err := LoadDisk(dir); err == nil {
		t.Error("a directory loaded as a disk")
	}
}
