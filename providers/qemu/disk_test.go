package qemu

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
	"github.com/strata-os/strata/images/bootdisk"
	"github.com/strata-os/strata/providers/qemu/vm"
)

// minimalDisk writes the minimal image as a bootable disk in format.
func minimalDisk(t *testing.T, format string) string {
	t.Helper()
	if err := bootdisk.CheckTools(); err != nil {
		t.Skip(err)
	}
	img, err := images.Build(context.Background(), "minimal", images.Options{Agent: agentPath})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "minimal."+format)
	if err := images.WriteDisk(context.Background(), img, format, out, images.Options{}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A disk image boots through each firmware, from the bootloader the disk
// carries (the console shows which), takes keys and userdata as its
// description says, and is never written to. With --qemu-tpm the guest
// has a TPM.
func TestDiskImageBootsThroughFirmware(t *testing.T) {
	base := testFlags(t)
	for _, tc := range []struct {
		format, firmware string
		tpm              bool
		console          string // what only this path prints
	}{
		{"raw", "bios", false, "SYSLINUX"},
		{"qcow2", "uefi", true, "BdsDxe: starting"},
	} {
		t.Run(tc.format+"-"+tc.firmware, func(t *testing.T) {
			if tc.firmware != "bios" {
				if _, err := os.Stat(filepath.Join("/usr/share/OVMF", vm.OVMFFiles[tc.firmware][0])); err != nil {
					t.Skip("no OVMF (apt-get install ovmf)")
				}
			}
			disk := minimalDisk(t, tc.format)
			before, err := images.FileSHA256(disk)
			if err != nil {
				t.Fatal(err)
			}
			f := base
			f.Image, f.Firmware, f.OVMFDir, f.TPM = disk, tc.firmware, "/usr/share/OVMF", tc.tpm
			out := t.TempDir()
			fl, err := NewFlight(context.Background(), f, platform.FlightOptions{Name: "disk", OutputDir: out})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			defer fl.Destroy(ctx)
			c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "disk", OutputDir: out})
			if err != nil {
				t.Fatal(err)
			}
			m, err := c.NewMachine(ctx, conf.Script("#!/bin/sh\necho from-userdata > /run/ud\n"))
			if err != nil {
				t.Fatal(err)
			}
			got, _, err := m.SSH(ctx, "cat /proc/cmdline; cat /run/ud; ls /sys/class/tpm 2>/dev/null; echo scribble > /dev/vda")
			if err != nil {
				t.Fatalf("ssh: %v: %s", err, got)
			}
			if !strings.Contains(string(got), images.MinimalCmdline) || !strings.Contains(string(got), "from-userdata") {
				t.Errorf("guest says %q", got)
			}
			if hasTPM := strings.Contains(string(got), "tpm0"); hasTPM != tc.tpm {
				t.Errorf("tpm0 in the guest: %v, want %v (%q)", hasTPM, tc.tpm, got)
			}
			console := m.ConsoleOutput(ctx)
			if !strings.Contains(console, tc.console) {
				t.Errorf("console lacks %q:\n%s", tc.console, console)
			}
			if err := c.Destroy(ctx); err != nil {
				t.Fatal(err)
			}
			if after, err := images.FileSHA256(disk); err != nil || after != before {
				t.Errorf("the image file changed: %v", err)
			}
		})
	}
}

// An image that only Ignition configures gets the flight's key in an
// Ignition config even when the test gave no userdata, and a script is
// refused naming the image.
func TestIgnitionDiskTakesKeyInConfig(t *testing.T) {
	f := testFlags(t)
	disk := minimalDisk(t, "qcow2")
	// Described as an image Ignition configures (as a user's FCOS disk
	// without a description would be).
	if err := os.Remove(disk + images.DiskInfoSuffix); err != nil {
		t.Fatal(err)
	}
	f.Image = disk
	fl := newTestFlight(t, f)
	ctx := context.Background()
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "ign"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Destroy(ctx)
	_, err = c.NewMachine(ctx, conf.Script("#!/bin/sh\ntrue\n"))
	if err == nil || !strings.Contains(err.Error(), "configured by Ignition only") {
		t.Errorf("script on an Ignition image: %v", err)
	}
	qc := c.(*cluster)
	r, err := qc.RenderUserData(conf.Empty(), platform.UserDataOptions{User: fl.(*flight).image.SSHUser, EmptyAs: conf.KindIgnition})
	if err != nil || r.Kind != conf.KindIgnition || !strings.Contains(string(r.Data), `"core"`) ||
		!strings.Contains(string(r.Data), fl.SSHKey().AuthorizedKey) {
		t.Errorf("empty userdata rendered as %v %q: %v", r.Kind, r.Data, err)
	}
}

// Wrong disk flags are the user's mistake, named.
func TestDiskFlagErrors(t *testing.T) {
	base := testFlags(t)
	dir := t.TempDir()
	vmdk := filepath.Join(dir, "x.vmdk")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "vmdk", vmdk, "1M").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	plain := filepath.Join(dir, "z.raw")
	if err := os.WriteFile(plain, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	badInfo := filepath.Join(dir, "y.raw")
	if err := os.WriteFile(badInfo, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(badInfo+images.DiskInfoSuffix, []byte(`{"userdata":"floppy"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	awsDisk := filepath.Join(dir, "aws.raw")
	if err := os.WriteFile(awsDisk, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(awsDisk+images.DiskInfoSuffix, []byte(`{"name":"ignition","userdata":"ignition","cmdline":"root=PARTUUID=x ignition.platform.id=aws"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mod  func(*Flags)
		want string
	}{
		{func(f *Flags) { f.Image = vmdk }, "a vmdk disk; kola boots qcow2 or raw"},
		{func(f *Flags) { f.Image = awsDisk }, "made for Ignition platform aws, whose config QEMU cannot serve"},
		{func(f *Flags) { f.Image = badInfo }, `y.raw.json: userdata "floppy"`},
		{func(f *Flags) { f.Image, f.Firmware, f.OVMFDir = plain, "uefi", dir }, "OVMF_CODE_4M.fd in --qemu-ovmf-dir"},
	} {
		f := base
		tc.mod(&f)
		_, err := NewFlight(context.Background(), f, platform.FlightOptions{Name: "x"})
		if !platform.IsUsage(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want a usage error with %q", f, err, tc.want)
		}
	}
}

// Firmware that will not boot the image ends the machine at once, with
// the firmware's own line and what it means, rather than at the boot
// timeout: Secure Boot refusing strata's loader (not signed by a key the
// firmware trusts), and a disk with nothing on it to boot.
func TestFirmwareRefusalEndsBoot(t *testing.T) {
	base := testFlags(t)
	for _, tc := range []struct {
		name, firmware, want string
		disk                 func(t *testing.T) string
	}{
		{"unsigned loader under Secure Boot", "uefi-secure", "Secure Boot", func(t *testing.T) string { return minimalDisk(t, "qcow2") }},
		{"blank disk under BIOS", "bios", "found nothing to boot", blankDisk},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.firmware != "bios" {
				if _, err := os.Stat(filepath.Join("/usr/share/OVMF", vm.OVMFFiles[tc.firmware][0])); err != nil {
					t.Skip("no OVMF (apt-get install ovmf)")
				}
			}
			f := base
			f.Image, f.Firmware, f.OVMFDir = tc.disk(t), tc.firmware, "/usr/share/OVMF"
			out := t.TempDir()
			ctx := context.Background()
			fl, err := NewFlight(ctx, f, platform.FlightOptions{Name: "refused", OutputDir: out})
			if err != nil {
				t.Fatal(err)
			}
			defer fl.Destroy(ctx)
			c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "refused", OutputDir: out})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Destroy(ctx)
			// Ignition userdata: a user's disk without a description is
			// taken for an Ignition one.
			_, err = c.NewMachine(ctx, conf.Ignition(`{"ignition": {"version": "3.4.0"}}`))
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "boot timeout") {
				t.Fatalf("boot = %v, want the firmware's refusal, saying %q", err, tc.want)
			}
		})
	}
}

// blankDisk is a disk with nothing on it.
func blankDisk(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "blank.qcow2")
	if b, err := exec.Command("qemu-img", "create", "-f", "qcow2", out, "64M").CombinedOutput(); err != nil {
		t.Skipf("qemu-img: %v: %s", err, b)
	}
	return out
}
