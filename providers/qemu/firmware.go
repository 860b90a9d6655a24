package qemu

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

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
func (m *machine) firmwareArgs() ([]string, error) {
	f := m.cluster.flight.flags
	files, ok := ovmfFiles[f.Firmware]
	if !ok {
		if m.cluster.flight.image.Kernel == "" {
			return []string{"-machine", "graphics=off"}, nil
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
