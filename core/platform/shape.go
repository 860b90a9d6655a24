package platform

import (
	"errors"
	"fmt"
	"strings"
)

// MachineShape is what a test asks of its machines beyond the platform's
// defaults (coreos-assembler's external tests ask in their metadata, whose
// key names Asked gives). The zero shape asks nothing.
type MachineShape struct {
	// MinMemoryMiB is the least memory each machine gets.
	MinMemoryMiB int
	// MinDiskGiB is the least size of each machine's root disk; RootDisk
	// ("20G", see ValidDiskSize) its size. Disks are grown, never shrunk.
	MinDiskGiB int
	RootDisk   string
	// AdditionalNICs are network cards beyond the platform's, each on a
	// network of its own with DHCP.
	AdditionalNICs int
	// KernelArgs are appended to the kernel command line of every boot;
	// FirstbootKernelArgs to the first boot's only.
	KernelArgs          string
	FirstbootKernelArgs string
}

// Asked names what s asks for, by coreos-assembler's metadata keys.
func (s MachineShape) Asked() []string {
	var keys []string
	for _, f := range []struct {
		key string
		set bool
	}{
		{"minMemory", s.MinMemoryMiB > 0}, {"minDisk", s.MinDiskGiB > 0}, {"primaryDisk", s.RootDisk != ""},
		{"additionalNics", s.AdditionalNICs > 0}, {"appendKernelArgs", s.KernelArgs != ""},
		{"appendFirstbootKernelArgs", s.FirstbootKernelArgs != ""},
	} {
		if f.set {
			keys = append(keys, f.key)
		}
	}
	return keys
}

// Validate checks the values, naming the key of the one that is wrong.
func (s MachineShape) Validate() error {
	var errs []error
	if s.MinMemoryMiB < 0 {
		errs = append(errs, fmt.Errorf("minMemory %d: must not be negative", s.MinMemoryMiB))
	}
	if s.MinDiskGiB < 0 {
		errs = append(errs, fmt.Errorf("minDisk %d: must not be negative", s.MinDiskGiB))
	}
	if s.AdditionalNICs < 0 || s.AdditionalNICs > maxNICs {
		errs = append(errs, fmt.Errorf("additionalNics %d: want 0 to %d", s.AdditionalNICs, maxNICs))
	}
	if s.RootDisk != "" {
		if err := ValidDiskSize(s.RootDisk); err != nil {
			errs = append(errs, fmt.Errorf("primaryDisk: %w", err))
		}
	}
	for key, args := range map[string]string{"appendKernelArgs": s.KernelArgs, "appendFirstbootKernelArgs": s.FirstbootKernelArgs} {
		if strings.ContainsAny(args, "\n\x00") {
			errs = append(errs, fmt.Errorf("%s %q: one line of arguments, please", key, args))
		}
	}
	return errors.Join(errs...)
}

// maxNICs bounds AdditionalNICs: PCI slots are few and no test needs many.
const maxNICs = 8

// MachineShaper is implemented by flights that can shape machines as a
// MachineShape asks. CheckShape says why it cannot give what s asks
// (naming the key), or nil. The runner skips a test asking for a shape
// its platform's flight is not a MachineShaper of, or cannot give, as
// coreos-assembler skips tests whose options a platform lacks.
type MachineShaper interface {
	CheckShape(s MachineShape) error
}

// ErrCannotShape is why a test asking for a machine shape is skipped on a
// platform whose flights shape nothing.
var ErrCannotShape = errors.New("this platform cannot shape machines")
