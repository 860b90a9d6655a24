package qemu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
	"github.com/strata-os/strata/providers/qemu/vm"
	"golang.org/x/sys/unix"
)

// tempPrefix names the per-cluster temporary directories, so that those
// left by a killed kola can be found and removed by the next one.
const tempPrefix = "strata-qemu-"

type flight struct {
	*platform.BaseFlight
	flags Flags
	image *images.Image
	// diskFormat is the image disk's format (qcow2 or raw), for overlays.
	diskFormat string
	accel      string
	// booting holds a slot per machine between QEMU's start and its SSH
	// answer: under TCG a boot is CPU-bound, and more boots than CPUs at
	// once slow every one of them (four debian boots on two CPUs took
	// more than 3 minutes each, against 45 s alone).
	booting chan struct{}
	// cpus is each machine's (machineCPUs), set before the first
	// cluster (PlanConcurrency); hostCPUs the host's.
	cpus, hostCPUs int
	// keep starts machines detachable (FlightOptions.KeepFailed).
	keep bool
	diskSizeState
}

// machineCPUs is how many CPUs a flight's machines get: --qemu-cpus, else
// the image's, at most the host's; under emulation (tcg) with atOnce
// machines booting together, at most their share of the host's (two
// ignition tests at once on two cores took 337 s with two CPUs each, 271 s
// with one). Under KVM a guest's idle CPUs cost nothing, so the image's
// stands.
func machineCPUs(flag int, img *images.Image, host int, accel string, atOnce int) int {
	if flag > 0 {
		return flag
	}
	n := max(1, min(img.CPUs, host))
	if strings.HasPrefix(accel, "tcg") && atOnce > 1 {
		n = max(1, min(n, host/atOnce))
	}
	return n
}

// PlanConcurrency implements platform.ConcurrencyPlanner: of the
// machines that may boot at once, --qemu-max-booting lets that many.
func (f *flight) PlanConcurrency(machinesAtOnce int) {
	atOnce := min(machinesAtOnce, f.flags.MaxBooting)
	cpus := machineCPUs(f.flags.CPUs, f.image, f.hostCPUs, f.accel, atOnce)
	if cpus != f.cpus {
		f.Logger().Info("machine CPUs for the machines booting at once", "cpus", cpus, "image_cpus", f.image.CPUs, "at_once", atOnce, "host_cpus", f.hostCPUs)
		f.cpus = cpus
	}
}

// NewFlight checks QEMU, resolves (building if needed) the image and picks
// the accelerator.
func NewFlight(ctx context.Context, f Flags, opts platform.FlightOptions) (platform.Flight, error) {
	if opts.SSHProxy != "" {
		return nil, platform.Usagef("--ssh-proxy %s: qemu machines run on this host and are reached directly, not through a proxy", opts.SSHProxy)
	}
	if opts.Arch != "" && opts.Arch != "amd64" {
		return nil, platform.Usagef("qemu: architecture %s is not supported yet (only amd64)", opts.Arch)
	}
	if _, err := exec.LookPath(f.Binary); err != nil {
		return nil, fmt.Errorf("qemu: %s not found (apt-get install qemu-system-x86 qemu-utils): %w", f.Binary, err)
	}
	if f.Memory < 128 {
		return nil, platform.Usagef("qemu: --qemu-memory %d MiB is too small (at least 128)", f.Memory)
	}
	if f.CPUs < 0 {
		return nil, platform.Usagef("qemu: --qemu-cpus %d: must be at least 1", f.CPUs)
	}
	if f.MaxBooting < 0 {
		return nil, platform.Usagef("qemu: --qemu-max-booting %d: must be positive", f.MaxBooting)
	}
	if f.MaxBooting == 0 {
		f.MaxBooting = runtime.NumCPU()
	}
	if f.BootTimeout <= 0 {
		return nil, platform.Usagef("qemu: --qemu-boot-timeout %v: must be positive", f.BootTimeout)
	}
	for _, d := range f.Disks {
		if platform.ValidDiskSize(d) != nil {
			return nil, platform.Usagef("qemu: --qemu-disk %q: want a size like 512M or 4G", d)
		}
	}
	base, err := platform.NewBaseFlight("qemu", opts)
	if err != nil {
		return nil, err
	}
	removeStaleTemp(base)
	img, err := resolveImage(ctx, f, opts)
	if err != nil {
		return nil, fmt.Errorf("qemu: %w", err)
	}
	diskFormat, err := checkDisk(ctx, img)
	if err != nil {
		return nil, fmt.Errorf("qemu: %w", err)
	}
	if err := checkFirmware(f); err != nil {
		return nil, fmt.Errorf("qemu: %w", err)
	}
	if f.TPM {
		if _, err := exec.LookPath("swtpm"); err != nil {
			return nil, platform.Usagef("qemu: --qemu-tpm needs swtpm (apt-get install swtpm)")
		}
	}
	cacheDir, _ := images.DefaultCacheDir()
	accel, why := vm.Accelerator(ctx, f.Accel, f.Binary, img.Kernel, cacheDir)
	base.Logger().Info("qemu flight", "image", img.Name, "kernel", img.KernelRelease, "accel", accel, "why", why)
	host := runtime.NumCPU()
	return &flight{BaseFlight: base, flags: f, image: img, diskFormat: diskFormat, accel: accel, booting: make(chan struct{}, f.MaxBooting),
		cpus: machineCPUs(f.CPUs, img, host, accel, 1), hostCPUs: host, keep: opts.KeepFailed}, nil
}

func (f *flight) NewCluster(ctx context.Context, opts platform.ClusterOptions) (platform.Cluster, error) {
	dir, err := os.MkdirTemp("", tempPrefix)
	if err != nil {
		return nil, platform.Infra("qemu cluster temp dir", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, platform.Infra("qemu cluster temp dir", err)
	}
	c := &cluster{BaseCluster: platform.NewBaseCluster(f.BaseFlight, opts), flight: f, dir: dir}
	f.Track(c)
	return c, nil
}

// removeStaleTemp removes cluster directories whose kola is gone (killed
// with SIGKILL, so it could not clean up); its QEMUs died with it, or
// are killed here if they could not (see killOrphans). Directories with
// kept machines are kola rm's.
func removeStaleTemp(base *platform.BaseFlight) {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, d := range dirs {
		b, err := os.ReadFile(filepath.Join(d, "owner.pid"))
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid <= 0 || unix.Kill(pid, 0) != unix.ESRCH {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, keptMarker)); err == nil {
			continue
		}
		base.Logger().Info("removing temp files of a dead kola", "dir", d, "pid", pid)
		killOrphans(d)
		os.RemoveAll(d)
	}
}
