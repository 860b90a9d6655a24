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
	"github.com/strata-os/strata/providers/qemu/vm"
)

// checkFirmware finds the firmware files --qemu-firmware needs.
func checkFirmware(f Flags) error {
	files, ok := vm.OVMFFiles[f.Firmware]
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
