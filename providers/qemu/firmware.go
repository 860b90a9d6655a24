package qemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
)

// ovmfFiles are the firmware code and the variable store template a
// machine boots with, per --qemu-firmware (Debian's ovmf package names).
var ovmfFiles = map[string][2]string{
	"uefi":        {"OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd"},
	"uefi-secure": {"OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.ms.fd"},
}

// checkFirmware finds the firmware files --qemu-firmware needs.
func checkFirmware(f Flags) error {
	files, ok := ovmfFiles[f.Firmware]
	if !ok {
		return nil // bios: QEMU's own SeaBIOS
	}
	for _, name := range files {
		if _, err := os.Stat(filepath.Join(f.OVMFDir, name)); err != nil {
			return platform.Usagef("--qemu-firmware %s needs %s in --qemu-ovmf-dir %s (apt-get install ovmf): %v", f.Firmware, name, f.OVMFDir, err)
		}
	}
	return nil
}

// firmwareArgs are QEMU's firmware arguments for the machine: for
// SeaBIOS booting a disk, none but telling it there is no display, so it
// writes to the serial console (console.txt) what it would show on a
// screen — "No bootable device." among it; OVMF's code read-only and a
// copy of its variable store per machine (the firmware writes boot
// entries into it).
//
// A kernel booted with cmdline goes through qboot when the flight found
// one, unless the kernel is to route interrupts by the BIOS's tables
// (acpi=noirq, kept for one CPU): qboot writes none, and such a kernel
// never gets a timer tick.
func (m *machine) firmwareArgs(cmdline string) ([]string, error) {
	f := m.cluster.flight.flags
	files, ok := ovmfFiles[f.Firmware]
	if !ok {
		if m.cluster.flight.image.Kernel == "" {
			return []string{"-machine", "graphics=off"}, nil
		}
		if q := m.cluster.flight.qboot; q != "" && !slices.Contains(strings.Fields(cmdline), "acpi=noirq") {
			return []string{"-bios", q}, nil
		}
		return nil, nil
	}
	// The template is half a megabyte or so: read whole.
	template, err := os.ReadFile(filepath.Join(f.OVMFDir, files[1]))
	if err != nil {
		return nil, platform.Infra("UEFI variable store", err)
	}
	vars := filepath.Join(m.dir, "efivars.fd")
	if err := os.WriteFile(vars, template, 0o644); err != nil {
		return nil, platform.Infra("UEFI variable store", err)
	}
	args := []string{
		"-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + filepath.Join(f.OVMFDir, files[0]),
		"-drive", "if=pflash,format=raw,unit=1,file=" + vars,
	}
	if f.Firmware == "uefi-secure" {
		// Secure Boot's variables are protected by SMM, which needs q35.
		args = append(args, "-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on")
	}
	return args, nil
}

// findQboot returns QEMU's qboot.rom, the BIOS that does nothing but load
// the kernel QEMU was given, or "" when this QEMU has none. A kernel image
// under --qemu-firmware bios boots through it (see firmwareArgs for when
// not) rather than SeaBIOS, which
// spends a second under emulation on what a kernel boot never uses (its
// option ROMs, PCI and disk probing, a boot menu). It is looked for where
// QEMU keeps its firmware: the binary's prefix's share/qemu (an install
// under a prefix), then system (Debian's and a source build's).
func findQboot(binary string, system []string) string {
	var dirs []string
	if p, err := exec.LookPath(binary); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dirs = append(dirs, filepath.Join(filepath.Dir(filepath.Dir(p)), "share", "qemu"))
	}
	dirs = append(dirs, system...)
	for _, d := range dirs {
		p := filepath.Join(d, "qboot.rom")
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// qbootSystemDirs are where QEMU's firmware is when not under the
// binary's prefix.
var qbootSystemDirs = []string{"/usr/share/qemu", "/usr/local/share/qemu"}

// checkDisk returns the format of the image's disk: qcow2 for strata's
// images, whatever qemu-img finds (qcow2 or raw) for a user's file.
func checkDisk(ctx context.Context, img *images.Image) (string, error) {
	if img.Disk == "" {
		return "", nil
	}
	if img.Kernel != "" {
		return "qcow2", nil
	}
	cmd := exec.CommandContext(ctx, "qemu-img", "info", "--output=json", img.Disk)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", platform.Usagef("--qemu-image %s: qemu-img info: %v: %s", img.Disk, err, bytes.TrimSpace(stderr.Bytes()))
	}
	var info struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("--qemu-image %s: qemu-img info: %w", img.Disk, err)
	}
	switch info.Format {
	case "qcow2", "raw":
		return info.Format, nil
	}
	return "", platform.Usagef("--qemu-image %s: a %s disk; kola boots qcow2 or raw (qemu-img convert -O qcow2 makes one)", img.Disk, info.Format)
}
