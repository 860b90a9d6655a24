// Package qemu is strata's local provider: machines are QEMU processes run
// without root. Each machine gets user-mode networking with its SSH port
// forwarded to a free port on 127.0.0.1, and a second network card on its
// cluster's private network, a hub inside kola reached through a unix
// socket, so machines of a cluster reach each other and nothing leaves the
// host. Userdata and keys go in through fw_cfg; the serial console streams
// through the console checks, so a kernel panic ends the machine at once.
package qemu

import (
	"context"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
	"github.com/strata-os/strata/images/debs"
)

// Flags are kola's --qemu-* flags.
type Flags struct {
	Image       string        `name:"qemu-image" default:"minimal" help:"Image to boot: minimal, debian or ignition (built on first use), a directory with an image.json, or a disk image file (qcow2 or raw, booted through --qemu-firmware; never modified; described by FILE.json beside it if there is one, else taken as an Ignition image with user core)."`
	Firmware    string        `name:"qemu-firmware" enum:"bios,uefi,uefi-secure" default:"bios" help:"Firmware: bios (SeaBIOS), uefi (OVMF), uefi-secure (OVMF with Secure Boot on and Microsoft's keys enrolled; a q35 machine) (${enum})."`
	OVMFDir     string        `name:"qemu-ovmf-dir" type:"path" default:"/usr/share/OVMF" placeholder:"DIR" help:"Where OVMF's firmware files are (Debian's ovmf package)."`
	TPM         bool          `name:"qemu-tpm" help:"Give each machine a TPM 2.0 (swtpm, one per machine)."`
	Agent       string        `name:"qemu-agent" type:"path" placeholder:"PATH" help:"Static strata-init binary to build images with (default: strata-init next to this program)."`
	Ignition    string        `name:"qemu-ignition-binary" type:"path" placeholder:"PATH" help:"Ignition binary the ignition image is built with (default: ignition next to this program)."`
	InitrdBus   string        `name:"qemu-initrd-bus" type:"path" placeholder:"PATH" help:"Static strata-initrd-bus binary the ignition image's initramfs runs for Ignition's disks stage (default: strata-initrd-bus next to this program)."`
	Mirrors     []string      `name:"qemu-debian-mirror" env:"STRATA_DEBIAN_MIRRORS" placeholder:"URL" help:"Debian archive roots to fetch image packages from, tried in order (repeatable or comma-separated; default: the host's apt sources, then deb.debian.org)."`
	Memory      int           `name:"qemu-memory" default:"512" help:"Memory of each machine, MiB."`
	CPUs        int           `name:"qemu-cpus" placeholder:"N" help:"CPUs of each machine (default: the image's choice, 2 for the ignition image, else 1; at most the host's CPUs, and under TCG their share among the machines booting at once)."`
	Disks       []string      `name:"qemu-disk" placeholder:"SIZE" help:"Add an empty disk of SIZE (e.g. 1G) to each machine; repeatable."`
	Accel       string        `name:"qemu-accel" enum:"auto,kvm,tcg" default:"auto" help:"Accelerator: auto probes KVM and falls back to TCG (${enum})."`
	Binary      string        `name:"qemu-binary" default:"qemu-system-x86_64" help:"QEMU system emulator."`
	BootTimeout time.Duration `name:"qemu-boot-timeout" default:"3m" help:"How long a machine may take to answer SSH."`
	MaxBooting  int           `name:"qemu-max-booting" placeholder:"N" help:"Machines booting at once, across all tests (default: one per host CPU); the others wait their turn, which does not count against the boot timeout."`
}

var flags = &Flags{}

func init() {
	platform.Register(platform.Provider{
		Name:        "qemu",
		Description: "local QEMU machines, unprivileged, offline",
		Flags:       flags,
		NewFlight: func(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
			return NewFlight(ctx, *flags, opts)
		},
		RemoveKept: RemoveKept,
	})
}

// resolveImage builds or loads the image named by the flags.
func resolveImage(ctx context.Context, f Flags, opts platform.FlightOptions) (*images.Image, error) {
	// A name strata builds is that image, whatever the working directory
	// holds (bin/ignition is not a disk); ./NAME names the file.
	builtIn := slices.Contains(images.Names(), f.Image)
	fi, err := os.Stat(f.Image)
	switch {
	case builtIn:
	case err == nil && fi.IsDir():
		return images.Load(f.Image)
	case err == nil && fi.Mode().IsRegular():
		img, err := images.LoadDisk(f.Image)
		if err != nil {
			return nil, platform.Usagef("--qemu-image %s: %v", f.Image, err)
		}
		// The config goes through fw_cfg; a disk made for a cloud would
		// wait for that cloud's metadata and fail its first boot.
		if id := img.IgnitionPlatform(); id != "" && id != "qemu" {
			return nil, platform.Usagef("--qemu-image %s: the disk is made for Ignition platform %s, whose config QEMU cannot serve: make one for qemu (ore qemu build-image --platform qemu)", f.Image, id)
		}
		return img, nil
	case strings.ContainsRune(f.Image, os.PathSeparator) && err != nil:
		return nil, platform.Usagef("--qemu-image %s: %v", f.Image, err)
	case strings.ContainsRune(f.Image, os.PathSeparator):
		return nil, platform.Usagef("--qemu-image %s: neither a directory of a built image nor a disk image file", f.Image)
	default:
		return nil, platform.Usagef("--qemu-image %q: neither a directory nor an image strata builds (%s)", f.Image, strings.Join(images.Names(), ", "))
	}
	var mirrors []string
	if len(f.Mirrors) > 0 {
		var err error
		if mirrors, err = debs.ParseMirrors("--qemu-debian-mirror", strings.Join(f.Mirrors, ",")); err != nil {
			return nil, platform.Usage(err)
		}
	}
	build := images.Options{Agent: f.Agent, Ignition: f.Ignition, InitrdBus: f.InitrdBus, Logger: opts.Logger, Mirrors: mirrors}
	if err := images.LocatePrograms(f.Image, &build, map[string]string{
		images.ProgramAgent: "--qemu-agent", images.ProgramIgnition: "--qemu-ignition-binary", images.ProgramInitrdBus: "--qemu-initrd-bus",
	}); err != nil {
		return nil, platform.Usage(err)
	}
	return images.Build(ctx, f.Image, build)
}

// Accelerator reports what a qemu flight's machines run on ("kvm" or "tcg").
func Accelerator(f platform.Flight) string {
	if qf, ok := f.(*flight); ok {
		return qf.accel
	}
	return ""
}

// Distro reports the image's distribution (platform.DistroReporter).
func (f *flight) Distro() string { return f.image.Distro }

// OSVersion reports the image's OS version (platform.OSVersionReporter).
func (f *flight) OSVersion() string { return f.image.OSVersion }

// qemuOverheadMiB is allowed for what a QEMU process takes beyond its
// guest's memory (TCG's translation cache, device emulation): the margin
// the earlier fixed estimate (768 MiB for a 512 MiB guest) gave.
const qemuOverheadMiB = 256

// WatchesConsoles: each machine's serial console is checked as QEMU
// writes it, and a fatal match kills the machine (machine.onConsole).
func (f *flight) WatchesConsoles() bool { return true }

// MachineMemoryMiB is what one machine takes of the host
// (platform.MemoryReporter): the guest memory QEMU is given, at least the
// image's minimum, and QEMU's own.
func (f *flight) MachineMemoryMiB() int {
	return max(f.flags.Memory, f.image.MinMemoryMiB) + qemuOverheadMiB
}
