package qemu

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
)

// What an image can be given: memory and cards always, kernel arguments
// when QEMU boots its kernel, a bigger disk when it has one, never
// smaller; first-boot arguments not yet.
func TestCheckShapeAndDiskSize(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img not installed")
	}
	disk := filepath.Join(t.TempDir(), "base.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", disk, "2M").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	memory := &flight{image: &images.Image{Name: "minimal", Kernel: "/k"}}
	bootsItsDisk := &flight{image: &images.Image{Name: "mydisk", Disk: disk}}
	for _, tc := range []struct {
		f    *flight
		s    platform.MachineShape
		want string // in the error; "" none
	}{
		{memory, platform.MachineShape{MinMemoryMiB: 4096, AdditionalNICs: 2, KernelArgs: "enforcing=0"}, ""},
		{memory, platform.MachineShape{MinDiskGiB: 10}, "minDisk: the minimal image has no root disk"},
		{memory, platform.MachineShape{RootDisk: "10G"}, "primaryDisk: the minimal image has no root disk"},
		{bootsItsDisk, platform.MachineShape{KernelArgs: "enforcing=0"}, "appendKernelArgs: the mydisk image boots through its own boot loader"},
		{bootsItsDisk, platform.MachineShape{RootDisk: "10G", MinDiskGiB: 2}, ""},
		{memory, platform.MachineShape{FirstbootKernelArgs: "ip=dhcp"}, ""},
		{bootsItsDisk, platform.MachineShape{FirstbootKernelArgs: "ip=dhcp"}, "appendFirstbootKernelArgs: the mydisk image boots through its own boot loader"},
	} {
		err := tc.f.CheckShape(tc.s)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("CheckShape(%s, %+v) = %v, want %q", tc.f.image.Name, tc.s, err, tc.want)
		}
	}
	for _, tc := range []struct {
		s    platform.MachineShape
		want int64
		err  string
	}{
		{platform.MachineShape{}, 0, ""},
		{platform.MachineShape{RootDisk: "4M"}, 4 << 20, ""},
		{platform.MachineShape{MinDiskGiB: 1}, 1 << 30, ""},
		{platform.MachineShape{RootDisk: "4M", MinDiskGiB: 1}, 1 << 30, ""},
		{platform.MachineShape{RootDisk: "1M"}, 0, "primaryDisk 1M is smaller than the mydisk image's disk (2 MiB)"},
	} {
		got, err := bootsItsDisk.rootDiskSize(tc.s)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("rootDiskSize(%+v) = %d, %v; want %q", tc.s, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("rootDiskSize(%+v) = %d, %v; want %d", tc.s, got, err, tc.want)
		}
	}
}

// A shaped minimal machine has the memory, the cards and the kernel
// arguments asked for, as the guest sees them.
func TestShapedMachine(t *testing.T) {
	fl := newTestFlight(t, testFlags(t))
	ctx := context.Background()
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "shaped", Shape: platform.MachineShape{
		MinMemoryMiB: 768, AdditionalNICs: 2, KernelArgs: "strata.test=shaped"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.NewMachine(ctx, conf.Empty())
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := m.SSH(ctx, "cat /proc/cmdline; ls /sys/class/net | grep -v '^lo$' | wc -l; sed -n 's/^MemTotal: *\\([0-9]*\\) kB/\\1/p' /proc/meminfo")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 {
		t.Fatalf("guest said %q", out)
	}
	if !strings.Contains(lines[0], " strata.test=shaped") {
		t.Errorf("kernel command line %q lacks the arguments asked for", lines[0])
	}
	if strings.TrimSpace(lines[1]) != "4" {
		t.Errorf("%s network cards, want 4 (public, private and 2 more)", lines[1])
	}
	var kib int
	if _, err := fmt.Sscan(lines[2], &kib); err != nil || kib < 600*1024 {
		t.Errorf("MemTotal %q kB: want the 768 MiB asked for, not the 512 default", lines[2])
	}
}

// A first boot's own kernel arguments are on the first boot's command
// line only: the guest's reboot starts QEMU again without them, every
// boot's arguments kept, and the machine answers again at its address.
func TestFirstbootKernelArgs(t *testing.T) {
	fl := newTestFlight(t, testFlags(t))
	ctx := context.Background()
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "firstboot", Shape: platform.MachineShape{
		KernelArgs: "strata.test=every", FirstbootKernelArgs: "strata.test=first"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.NewMachine(ctx, conf.Empty())
	if err != nil {
		t.Fatal(err)
	}
	cmdline := func() string {
		t.Helper()
		out, _, err := m.SSH(ctx, "cat /proc/cmdline")
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	first := cmdline()
	if !strings.Contains(first, " strata.test=every") || !strings.Contains(first, " strata.test=first") {
		t.Errorf("first boot's command line %q lacks an argument asked for", first)
	}
	pid := m.(*machine).vm.Pid()
	if err := m.Reboot(ctx); err != nil {
		t.Fatalf("reboot: %v", err)
	}
	second := cmdline()
	if !strings.Contains(second, " strata.test=every") || strings.Contains(second, "strata.test=first") {
		t.Errorf("second boot's command line %q: want every boot's arguments and not the first's", second)
	}
	if m.(*machine).vm.Pid() == pid {
		t.Errorf("QEMU (pid %d) was not started again for the second boot", pid)
	}
	// Later reboots are QEMU's own, on the second command line.
	pid = m.(*machine).vm.Pid()
	if err := m.Reboot(ctx); err != nil {
		t.Fatalf("second reboot: %v", err)
	}
	if third := cmdline(); third != second || m.(*machine).vm.Pid() != pid {
		t.Errorf("third boot: command line %q (want %q), QEMU pid %d (want %d)", third, second, m.(*machine).vm.Pid(), pid)
	}
}
