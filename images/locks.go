package images

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/strata-os/strata/images/debs"
)

// LockNames lists the lock files the images are built from, by the name
// ore qemu update-lock takes: images/<name>.lock.
func LockNames() []string { return []string{"minimal", "debian", "ignition", "boot"} }

// BootPackages hold the boot loaders of bootable disks (images/bootdisk):
// syslinux's installer and its BIOS modules and GPT MBR, and systemd-boot
// for UEFI.
var BootPackages = []string{"syslinux", "syslinux-common", "systemd-boot-efi"}

// minimalKernelMeta is the meta package whose dependency names the kernel
// the minimal image pins; the debian image installs it as it is
// (DebianPackages).
const minimalKernelMeta = "linux-image-cloud-amd64"

// ResolveLock resolves the named lock's packages against apt's index as it
// is now and returns the lock file's content.
func ResolveLock(ctx context.Context, name string, apt debs.Apt) ([]byte, []debs.Package, error) {
	var pkgs []debs.Package
	var header []string
	switch name {
	case "minimal":
		kernel, err := apt.Dependency(ctx, minimalKernelMeta, "linux-image-")
		if err != nil {
			return nil, nil, fmt.Errorf("minimal.lock: the kernel: %w", err)
		}
		busybox, err := apt.Candidate(ctx, "busybox-static")
		if err != nil {
			return nil, nil, fmt.Errorf("minimal.lock: %w", err)
		}
		pkgs = []debs.Package{kernel, busybox}
		header = []string{
			"Debian packages of the minimal image: the kernel " + minimalKernelMeta + " depends on, and busybox-static.",
		}
	case "debian", "ignition":
		extra, list := DebianPackages, "images.DebianPackages"
		if name == "ignition" {
			extra, list = IgnitionPackages, "images.IgnitionPackages"
		}
		base, err := apt.Essentials(ctx)
		if err != nil {
			return nil, nil, fmt.Errorf("%s.lock: %w", name, err)
		}
		if pkgs, err = apt.Closure(ctx, append(base, extra...)); err != nil {
			return nil, nil, fmt.Errorf("%s.lock: %w", name, err)
		}
		header = []string{
			"Debian packages of the " + name + " image: Debian's essential and required set and",
			list + ", with everything they depend on (no recommends).",
		}
	case "boot":
		for _, name := range BootPackages {
			p, err := apt.Candidate(ctx, name)
			if err != nil {
				return nil, nil, fmt.Errorf("boot.lock: %w", err)
			}
			pkgs = append(pkgs, p)
		}
		header = []string{
			"Debian packages of the boot loaders on bootable disks (ore qemu build-image --format):",
			"images.BootPackages, without their dependencies (only files are taken from them).",
		}
	default:
		return nil, nil, fmt.Errorf("unknown lock %q (known: %s)", name, strings.Join(LockNames(), ", "))
	}
	header = append(header,
		"Fetched by filename from each mirror's pool and checked by size and sha256,",
		"so a pin outlives its version's place in the index. Refresh with: ore qemu update-lock "+name,
	)
	content := debs.FormatLock(header, pkgs)
	// What is written must read back: a refresh never leaves a lock the
	// build would refuse.
	if _, err := debs.ParseLock(name+".lock", content); err != nil {
		return nil, nil, fmt.Errorf("resolved lock does not parse: %w", err)
	}
	return content, pkgs, nil
}

// LockUpdate is what UpdateLock did.
type LockUpdate struct {
	Packages []debs.Package
	// Changes are the packages whose version moved, came or went.
	Changes []debs.Change
	// Written is whether the file changed (a refresh can also rewrite a
	// lock whose versions all stay, e.g. from an older format).
	Written bool
}

// UpdateLock resolves the named lock and, unless dryRun, replaces the file
// at path with it (atomically: a reader sees the old lock or the new). It
// reports what moved against the file's previous content.
func UpdateLock(ctx context.Context, name, path string, apt debs.Apt, dryRun bool) (*LockUpdate, error) {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	content, pkgs, err := ResolveLock(ctx, name, apt)
	if err != nil {
		return nil, err
	}
	newVersions := map[string]string{}
	for _, p := range pkgs {
		newVersions[p.Name] = p.Version
	}
	u := &LockUpdate{Packages: pkgs, Changes: debs.Diff(debs.LockVersions(old), newVersions)}
	if dryRun || string(old) == string(content) {
		return u, nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-")
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	u.Written = true
	return u, nil
}
