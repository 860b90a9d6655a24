package qemu

import (
	"errors"
	"fmt"
	"sync"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/qemu/vm"
)

// CheckShape implements platform.MachineShaper: memory and cards any
// image can have; a bigger root disk only an image that has one; kernel
// arguments (every boot's and the first boot's) only an image whose
// kernel QEMU boots itself (the built-in ones), not a disk that boots
// through its own boot loader.
func (f *flight) CheckShape(s platform.MachineShape) error {
	var errs []error
	img := f.image
	if img.Disk == "" {
		if s.MinDiskGiB > 0 {
			errs = append(errs, fmt.Errorf("minDisk: the %s image has no root disk (it runs from memory)", img.Name))
		}
		if s.RootDisk != "" {
			errs = append(errs, fmt.Errorf("primaryDisk: the %s image has no root disk (it runs from memory)", img.Name))
		}
	}
	if s.KernelArgs != "" && img.Kernel == "" {
		errs = append(errs, fmt.Errorf("appendKernelArgs: the %s image boots through its own boot loader, whose kernel command line strata does not change", img.Name))
	}
	if s.FirstbootKernelArgs != "" && img.Kernel == "" {
		// coreos-assembler writes them into the disk's
		// /boot/ignition.firstboot for GRUB; strata does not write into
		// images' disks.
		errs = append(errs, fmt.Errorf("appendFirstbootKernelArgs: the %s image boots through its own boot loader, whose first-boot command line strata does not change", img.Name))
	}
	return errors.Join(errs...)
}

// rootDiskSize is the size (bytes) of a machine's root disk as the shape
// asks, 0 for the image's own; a primaryDisk smaller than the image's
// disk is an error (the guest's file systems would be cut short).
func (f *flight) rootDiskSize(s platform.MachineShape) (int64, error) {
	if s.RootDisk == "" && s.MinDiskGiB <= 0 {
		return 0, nil
	}
	base, err := f.baseDiskSize()
	if err != nil {
		return 0, err
	}
	size := base
	if s.RootDisk != "" {
		want, err := platform.DiskSizeBytes(s.RootDisk)
		if err != nil {
			return 0, fmt.Errorf("primaryDisk: %w", err)
		}
		if want < base {
			return 0, fmt.Errorf("primaryDisk %s is smaller than the %s image's disk (%d MiB)", s.RootDisk, f.image.Name, base>>20)
		}
		size = want
	}
	return max(size, int64(s.MinDiskGiB)<<30), nil
}

// baseDiskSize is the image disk's virtual size, read once per flight.
func (f *flight) baseDiskSize() (int64, error) {
	f.diskSizeOnce.Do(func() {
		f.diskSize, f.diskSizeErr = vm.VirtualSize(f.image.Disk)
	})
	return f.diskSize, f.diskSizeErr
}

// diskSizeState is the flight's cached baseDiskSize.
type diskSizeState struct {
	diskSizeOnce sync.Once
	diskSize     int64
	diskSizeErr  error
}
