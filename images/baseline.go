package images

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/strata-os/strata/images/debs"
)

// The baseline image is the minimal image's kernel with an initramfs of
// busybox alone, whose init powers off at once: the floor that boot-time
// benchmarks compare the minimal image's boot-to-SSH against.
const baselineBuilder = "baseline-v1"

// BaselineCmdline boots the baseline image.
const BaselineCmdline = "console=ttyS0 quiet panic=-1"

func buildBaseline(ctx context.Context, lock []byte, opts Options) (*Image, error) {
	pkgs, err := debs.ParseLock("minimal.lock", lock)
	if err != nil {
		return nil, err
	}
	hash := inputHash(map[string]string{"builder": baselineBuilder, "packages": packagesHash(pkgs)})
	dir := filepath.Join(opts.CacheDir, "images", "baseline-"+hash[:16])
	img, unlock, err := cachedOrLocked(ctx, dir, opts.Logger)
	if img != nil || err != nil {
		return img, err
	}
	defer unlock()
	kernelDeb, busyboxDeb, err := fetchKernelAndBusybox(ctx, pkgs, opts)
	if err != nil {
		return nil, fmt.Errorf("baseline image: %w", err)
	}
	kfiles, err := debs.Files(ctx, kernelDeb, func(p string) bool { return strings.HasPrefix(p, "boot/vmlinuz-") })
	if err != nil || len(kfiles) != 1 {
		return nil, fmt.Errorf("baseline image: kernel from %s: %v", filepath.Base(kernelDeb), err)
	}
	bfiles, err := debs.Files(ctx, busyboxDeb, func(p string) bool { return p == "bin/busybox" })
	if err != nil || len(bfiles) != 1 {
		return nil, fmt.Errorf("baseline image: busybox from %s: %v", filepath.Base(busyboxDeb), err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".build-baseline-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	t := tree{}
	t.file("bin/busybox", 0o755, bfiles[0].Data)
	t.file("init", 0o755, []byte("#!/bin/busybox sh\n/bin/busybox poweroff -f\n"))
	for _, d := range []string{"dev", "proc", "sys"} {
		t.dir(d)
	}
	if err := os.WriteFile(filepath.Join(tmp, "vmlinuz"), kfiles[0].Data, 0o644); err != nil {
		return nil, err
	}
	if err := writeCPIO(filepath.Join(tmp, "initrd.img"), t); err != nil {
		return nil, err
	}
	return publish(tmp, dir, &Image{
		Name:          "baseline",
		Kernel:        filepath.Join(tmp, "vmlinuz"),
		Initrd:        filepath.Join(tmp, "initrd.img"),
		Cmdline:       BaselineCmdline,
		KernelRelease: strings.TrimPrefix(kfiles[0].Path, "boot/vmlinuz-"),
		InputHash:     hash,
	})
}
