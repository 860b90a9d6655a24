package qemu

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/strata-os/strata/images"
)

func TestFindQboot(t *testing.T) {
	// A QEMU installed under a prefix, and a system firmware directory.
	prefix, system := t.TempDir(), t.TempDir()
	binary := filepath.Join(prefix, "bin", "qemu-system-x86_64")
	write := func(p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("rom"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(binary)
	prefixROM := filepath.Join(prefix, "share", "qemu", "qboot.rom")
	systemROM := filepath.Join(system, "qboot.rom")

	if got := findQboot(binary, []string{system}); got != "" {
		t.Errorf("no qboot anywhere: got %q, want none (SeaBIOS)", got)
	}
	// A directory of that name is not the ROM.
	if err := os.MkdirAll(systemROM, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := findQboot(binary, []string{system}); got != "" {
		t.Errorf("qboot.rom a directory: got %q, want none", got)
	}
	os.Remove(systemROM)
	write(systemROM)
	if got := findQboot(binary, []string{system}); got != systemROM {
		t.Errorf("system qboot only: got %q, want %q", got, systemROM)
	}
	write(prefixROM)
	if got := findQboot(binary, []string{system}); got != prefixROM {
		t.Errorf("qboot under the binary's prefix and the system's: got %q, want the prefix's %q", got, prefixROM)
	}
	// A binary found through PATH, as kola's default names it.
	t.Setenv("PATH", filepath.Join(prefix, "bin"))
	if got := findQboot("qemu-system-x86_64", []string{system}); got != prefixROM {
		t.Errorf("binary by name on PATH: got %q, want %q", got, prefixROM)
	}
	// A missing binary still finds the system's.
	if got := findQboot(filepath.Join(prefix, "nonexistent"), []string{system}); got != systemROM {
		t.Errorf("binary not found: got %q, want %q", got, systemROM)
	}
}

func TestKernelBootFirmware(t *testing.T) {
	tests := []struct {
		name     string
		firmware string
		kernel   string
		qboot    string
		cmdline  string
		want     []string
	}{
		{"kernel through qboot", "bios", "vmlinuz", "/q/qboot.rom", "console=ttyS0 quiet", []string{"-bios", "/q/qboot.rom"}},
		// qboot writes no interrupt routing tables: a kernel told to
		// use them (one CPU) would never get a timer tick.
		{"acpi=noirq keeps SeaBIOS", "bios", "vmlinuz", "/q/qboot.rom", "console=ttyS0 acpi=noirq quiet", nil},
		{"a longer parameter is another", "bios", "vmlinuz", "/q/qboot.rom", "acpi=noirqx", []string{"-bios", "/q/qboot.rom"}},
		{"no qboot: SeaBIOS", "bios", "vmlinuz", "", "console=ttyS0", nil},
		{"a disk: SeaBIOS on the serial console", "bios", "", "/q/qboot.rom", "", []string{"-machine", "graphics=off"}},
	}
	for _, tc := range tests {
		m := &machine{cluster: &cluster{flight: &flight{flags: Flags{Firmware: tc.firmware}, image: &images.Image{Kernel: tc.kernel}, qboot: tc.qboot}}}
		got, err := m.firmwareArgs(tc.cmdline)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: firmwareArgs(%q) = %q, want %q", tc.name, tc.cmdline, got, tc.want)
		}
	}
}
