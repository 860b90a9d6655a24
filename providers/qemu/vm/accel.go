package vm

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// kvmProbeTimeout is how long a KVM boot to a kernel panic may take. A
// working KVM gets there in well under a second; on hosts where KVM is
// present but broken the guest hangs in the kernel.
const kvmProbeTimeout = 6 * time.Second

var probes sync.Map // binary -> string ("kvm" or "tcg")

// Accelerator returns "kvm" or "tcg", and why. For auto it boots the image's kernel
// under KVM to an immediate panic (no init) and uses KVM only if QEMU exits
// in time. The answer is kept for the process and, keyed by the host's boot
// ID, in cacheDir.
func Accelerator(ctx context.Context, mode, binary, kernel, cacheDir string) (string, string) {
	if mode == "kvm" || mode == "tcg" {
		return mode, "asked for"
	}
	if unix.Access("/dev/kvm", unix.R_OK|unix.W_OK) != nil {
		return "tcg", "/dev/kvm is not usable"
	}
	if v, ok := probes.Load(binary); ok {
		return v.(string), "probed earlier"
	}
	cacheFile := ""
	if b, err := os.ReadFile("/proc/sys/kernel/random/boot_id"); err == nil && cacheDir != "" {
		cacheFile = filepath.Join(cacheDir, "kvm-probe-"+strings.TrimSpace(string(b)))
		if v, err := os.ReadFile(cacheFile); err == nil && (string(v) == "kvm" || string(v) == "tcg") {
			probes.Store(binary, string(v))
			return string(v), "probed earlier this host boot"
		}
	}
	if kernel == "" {
		// Not kept: a later flight with a kernel probes.
		return "tcg", "no kernel to probe KVM with (kvm, asked for, is used untried)"
	}
	accel, why := probeKVM(ctx, binary, kernel)
	probes.Store(binary, accel)
	if cacheFile != "" {
		_ = os.MkdirAll(cacheDir, 0o755)
		_ = os.WriteFile(cacheFile, []byte(accel), 0o644)
	}
	return accel, why
}

func probeKVM(ctx context.Context, binary, kernel string) (string, string) {
	ctx, cancel := context.WithTimeout(ctx, kvmProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "-accel", "kvm", "-m", "256", "-nodefaults", "-display", "none",
		"-no-user-config", "-no-reboot", "-kernel", kernel, "-append", "panic=-1 rdinit=/nonexistent console=none")
	cmd.SysProcAttr = &unix.SysProcAttr{Pdeathsig: unix.SIGKILL}
	out, err := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		return "tcg", fmt.Sprintf("KVM probe did not finish in %v", kvmProbeTimeout)
	case err != nil:
		return "tcg", fmt.Sprintf("KVM probe failed: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return "kvm", "KVM probe booted"
}
