package images

import (
	"strings"
	"testing"
)

func TestForPlatform(t *testing.T) {
	ign := &Image{Name: "ignition", Cmdline: IgnitionCmdline}
	for _, tc := range []struct {
		img      *Image
		platform string
		want     string // the platform ID on the command line, or an error's text
	}{
		{ign, "aws", "aws"},
		{ign, "gce", "gcp"},
		{ign, "gcp", "gcp"},
		{ign, "do", "digitalocean"},
		{ign, "esx", "vmware"},
		{ign, "qemu", "qemu"},
		{ign, "ec2", `platform "ec2": want one of `},
		{&Image{Name: "debian", Cmdline: "console=ttyS0 root=/dev/vda"}, "aws", "image debian is not configured by Ignition"},
	} {
		got, err := ForPlatform(tc.img, tc.platform)
		switch {
		case err != nil:
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s for %s: %v, want %q", tc.img.Name, tc.platform, err, tc.want)
			}
		case got.IgnitionPlatform() != tc.want:
			t.Errorf("%s for %s: platform %q (cmdline %q), want %q", tc.img.Name, tc.platform, got.IgnitionPlatform(), got.Cmdline, tc.want)
		case strings.Count(got.Cmdline, "ignition.platform.id=") != 1 || !strings.HasPrefix(got.Cmdline, "console=ttyS0 root=/dev/vda rw"):
			t.Errorf("%s for %s: cmdline %q lost or doubled a parameter", tc.img.Name, tc.platform, got.Cmdline)
		case strings.Contains(got.Cmdline, "acpi=noirq") != (tc.want == "qemu") || strings.Contains(got.Cmdline, "pci=nomsi") != (tc.want == "qemu"):
			// QEMU's tuning stays on QEMU's disks only.
			t.Errorf("%s for %s: cmdline %q; acpi=noirq and pci=nomsi belong to qemu only", tc.img.Name, tc.platform, got.Cmdline)
		}
	}
	if ign.IgnitionPlatform() != "qemu" {
		t.Errorf("ForPlatform changed the image it was given: %q", ign.Cmdline)
	}
}

func TestCmdlineForCPUs(t *testing.T) {
	tests := []struct {
		cmdline string
		cpus    int
		want    string
	}{
		{IgnitionCmdline, 1, IgnitionCmdline},
		{"console=ttyS0 acpi=noirq quiet pci=nomsi", 2, "console=ttyS0 quiet"},
		{MinimalCmdline, 2, "console=ttyS0 quiet panic=-1 rdinit=/init"},
		{"console=ttyS0 quiet", 4, "console=ttyS0 quiet"},
		{"acpi=noirqx", 2, "acpi=noirqx"},
	}
	for _, tc := range tests {
		if got := CmdlineForCPUs(tc.cmdline, tc.cpus); got != tc.want {
			t.Errorf("CmdlineForCPUs(%q, %d) = %q, want %q", tc.cmdline, tc.cpus, got, tc.want)
		}
	}
}
