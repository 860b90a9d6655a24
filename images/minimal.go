package images

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/strata-os/strata/images/debs"
)

//go:embed minimal.lock
var minimalLock []byte

// minimalBuilder changes when the way the image is assembled changes, so
// that cached images built the old way are not reused.
const minimalBuilder = "minimal-v5"

// minimalModules are the kernel modules the minimal image loads at boot, in
// this order: the virtio RNG first, since without entropy from the host
// the SSH host key waits about a second for the kernel's RNG under TCG;
// then its network cards, its extra disks and QEMU's fw_cfg.
var minimalModules = []string{"virtio_pci", "virtio_rng", "virtio_net", "virtio_blk", "qemu_fw_cfg"}

// MinimalDistro is the minimal image's distro name: tests written for a
// distribution do not apply to it.
const MinimalDistro = "strata-minimal"

// MinimalCmdline is the kernel command line of the minimal image.
const MinimalCmdline = "console=ttyS0 quiet panic=-1 rdinit=/init " + QEMUIRQParams

// QEMUIRQParams are strata's images' interrupt tuning for a one-CPU QEMU
// machine. acpi=noirq routes PCI interrupts through the BIOS tables
// instead of ACPI's interrupt links: evaluating the links' AML under TCG
// cost about 0.3 s of the 0.4 s spent loading the virtio modules (ACPI
// still powers the machine off). Without ACPI's interrupt routing the
// kernel has no MSI interrupt domain either, and each virtio device's
// MSI-X set-up failed with a kernel WARNING and its stack trace (two per
// boot, at pci_msi_setup_msi_irqs and its teardown) before falling back
// to the legacy interrupt: pci=nomsi asks for that interrupt at once.
const QEMUIRQParams = "acpi=noirq pci=nomsi"

// minimalInputHash names the minimal image in the cache: everything it is
// made from, the command line it records included (a cached image keeps
// the command line it was built with, so a changed one must be a new
// image).
func minimalInputHash(pkgs []debs.Package, agentHash, cmdline string) string {
	return inputHash(map[string]string{"builder": minimalBuilder, "packages": packagesHash(pkgs), "agent": agentHash, "cmdline": cmdline})
}

func buildMinimal(ctx context.Context, lock []byte, opts Options) (*Image, error) {
	pkgs, err := debs.ParseLock("minimal.lock", lock)
	if err != nil {
		return nil, err
	}
	if opts.Agent == "" {
		return nil, fmt.Errorf("minimal image: no init binary (build agent/strata-init with CGO_ENABLED=0 and pass its path)")
	}
	agentHash, err := FileSHA256(opts.Agent)
	if err != nil {
		return nil, fmt.Errorf("minimal image: init binary %s: %w", opts.Agent, err)
	}
	hash := minimalInputHash(pkgs, agentHash, MinimalCmdline)
	dir := filepath.Join(opts.CacheDir, "images", "minimal-"+hash[:16])
	img, unlock, err := cachedOrLocked(ctx, dir, opts.Logger)
	if img != nil || err != nil {
		return img, err
	}
	defer unlock()
	opts.Logger.Info("building image", "image", "minimal", "dir", dir)

	kernelDeb, busyboxDeb, err := fetchKernelAndBusybox(ctx, pkgs, opts)
	if err != nil {
		return nil, fmt.Errorf("minimal image: %w", err)
	}
	agent, err := os.ReadFile(opts.Agent)
	if err != nil {
		return nil, err
	}

	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".build-minimal-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp) // no-op once published
	release, err := assembleMinimal(ctx, kernelDeb, busyboxDeb, agent, tmp)
	if err != nil {
		return nil, fmt.Errorf("minimal image: %w", err)
	}
	return publish(tmp, dir, &Image{
		Name:    "minimal",
		Kernel:  filepath.Join(tmp, "vmlinuz"),
		Initrd:  filepath.Join(tmp, "initrd.img"),
		Cmdline: MinimalCmdline,
		SSHUser: "root",
		// agent/guestinit prints it once sshd listens.
		SSHReadyLine:  "strata-init: ssh ready",
		Distro:        MinimalDistro,
		KernelRelease: release,
		InputHash:     hash,
	})
}

// assembleMinimal writes vmlinuz and initrd.img into out and returns the
// kernel release.
func assembleMinimal(ctx context.Context, kernelDeb, busyboxDeb string, agent []byte, out string) (string, error) {
	kfiles, err := debs.Files(ctx, kernelDeb, func(p string) bool {
		return strings.HasPrefix(p, "boot/vmlinuz-") || (strings.HasPrefix(p, "lib/modules/") && strings.HasSuffix(p, ".ko"))
	})
	if err != nil {
		return "", err
	}
	var vmlinuz []byte
	var release string
	modules := map[string][]byte{}
	for _, f := range kfiles {
		if strings.HasPrefix(f.Path, "boot/vmlinuz-") {
			vmlinuz, release = f.Data, strings.TrimPrefix(f.Path, "boot/vmlinuz-")
			continue
		}
		modules[moduleName(f.Path)] = f.Data
	}
	if vmlinuz == nil {
		return "", fmt.Errorf("%s has no /boot/vmlinuz-*", filepath.Base(kernelDeb))
	}
	order, err := moduleClosure(minimalModules, modules)
	if err != nil {
		return "", err
	}
	bfiles, err := debs.Files(ctx, busyboxDeb, func(p string) bool { return p == "bin/busybox" })
	if err != nil {
		return "", err
	}
	if len(bfiles) != 1 {
		return "", fmt.Errorf("%s has no /bin/busybox", filepath.Base(busyboxDeb))
	}

	t := tree{}
	for _, d := range []string{"dev", "proc", "sys", "run", "tmp", "root", "etc", "var/tmp", "sbin", "usr/bin", "usr/sbin"} {
		t.dir(d)
	}
	t.file("bin/busybox", 0o755, bfiles[0].Data)
	t.file("bin/strata-init", 0o755, agent)
	t.symlink("init", "bin/strata-init")
	t.symlink("bin/sh", "busybox")
	for _, name := range order {
		t.file(path.Join("lib/modules", name), 0o644, modules[strings.TrimSuffix(name, ".ko")])
	}
	t.file("lib/modules/strata.order", 0o644, []byte(strings.Join(order, "\n")+"\n"))
	t.file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\n"))
	t.file("etc/group", 0o644, []byte("root:x:0:\n"))
	t.file("etc/hostname", 0o644, []byte("strata\n"))
	t.file("etc/os-release", 0o644, []byte("ID=strata-minimal\nNAME=\"strata minimal test image\"\nVERSION_ID=1\n"))

	if err := os.WriteFile(filepath.Join(out, "vmlinuz"), vmlinuz, 0o644); err != nil {
		return "", err
	}
	if err := writeCPIO(filepath.Join(out, "initrd.img"), t); err != nil {
		return "", err
	}
	return release, nil
}

// fetchKernelAndBusybox fetches the lock's packages and returns the paths
// of the kernel's and busybox's .deb.
func fetchKernelAndBusybox(ctx context.Context, pkgs []debs.Package, opts Options) (kernelDeb, busyboxDeb string, err error) {
	paths, err := opts.fetcher("minimal").Fetch(ctx, pkgs)
	if err != nil {
		return "", "", err
	}
	for _, p := range pkgs {
		switch {
		case strings.HasPrefix(p.Name, "linux-image-"):
			kernelDeb = paths[p.Name]
		case p.Name == "busybox-static":
			busyboxDeb = paths[p.Name]
		}
	}
	if kernelDeb == "" || busyboxDeb == "" {
		return "", "", fmt.Errorf("minimal.lock: needs a linux-image-* and busybox-static")
	}
	return kernelDeb, busyboxDeb, nil
}
