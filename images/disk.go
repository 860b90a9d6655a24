package images

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-os/strata/images/bootdisk"
	"github.com/strata-os/strata/images/debs"
)

//go:embed boot.lock
var bootLock []byte

// DiskFormats are the formats WriteDisk writes (bootdisk.Formats).
func DiskFormats() []string { return bootdisk.Formats() }

// DiskInfoSuffix names the description written beside a disk file
// (disk.qcow2 → disk.qcow2.json): what kola needs to know of an image
// that is only a disk (its distro, user, how it takes userdata).
const DiskInfoSuffix = ".json"

// Firmwares a bootable disk from WriteDisk boots with.
var Firmwares = []string{"bios", "uefi"}

// WriteDisk writes img as a bootable disk (BIOS and UEFI) in format to
// output, with its description beside it (output + DiskInfoSuffix). The
// same image gives the same bytes.
func WriteDisk(ctx context.Context, img *Image, format, output string, opts Options) error {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CacheDir == "" {
		dir, err := DefaultCacheDir()
		if err != nil {
			return err
		}
		opts.CacheDir = dir
	}
	known := false
	for _, f := range DiskFormats() {
		known = known || f == format
	}
	if !known {
		return fmt.Errorf("disk format %q: want one of %s", format, strings.Join(DiskFormats(), ", "))
	}
	if err := bootdisk.CheckTools(); err != nil {
		return err
	}
	loaders, cleanup, err := bootLoaders(ctx, opts)
	if err != nil {
		return err
	}
	defer cleanup()
	tmp, err := os.MkdirTemp(filepath.Dir(output), ".disk-")
	if err != nil {
		return fmt.Errorf("disk %s: %w", output, err)
	}
	defer os.RemoveAll(tmp)

	// The command line is baked into the disk, where --qemu-cpus cannot
	// change it: it is the one for the CPUs the image boots with.
	cmdline := CmdlineForCPUs(img.Cmdline, img.CPUs)
	spec := bootdisk.Spec{Title: "strata " + img.Name, Kernel: img.Kernel, Initrd: img.Initrd,
		Cmdline: cmdline, Epoch: mustEpoch()}
	if img.Disk != "" {
		// The root filesystem, raw, for the second partition.
		spec.RootFS = filepath.Join(tmp, "root.raw")
		if err := runTool(ctx, opts.Logger, nil, "qemu-img", "convert", "-q", "-O", "raw", img.Disk, spec.RootFS); err != nil {
			return fmt.Errorf("disk %s: %w", output, err)
		}
		spec.Cmdline = setKernelParam(cmdline, "root", "PARTUUID="+bootdisk.RootPartUUID)
	}
	raw := filepath.Join(tmp, "disk.raw")
	if err := bootdisk.WriteRaw(ctx, raw, tmp, spec, loaders); err != nil {
		return fmt.Errorf("disk %s: %w", output, err)
	}
	os.Remove(spec.RootFS)
	final := raw
	if format != "raw" {
		final = filepath.Join(tmp, "disk."+format)
		if err := bootdisk.Convert(ctx, raw, format, final, img.Name, spec.Epoch); err != nil {
			return fmt.Errorf("disk %s: %s: %w", output, format, err)
		}
	}
	info := *img
	info.Kernel, info.Initrd, info.Disk = "", "", filepath.Base(output)
	info.Cmdline = spec.Cmdline
	if info.UserData == "" {
		info.UserData = "fw_cfg"
	}
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(output+DiskInfoSuffix, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("disk %s: %w", output, err)
	}
	if err := os.Rename(final, output); err != nil {
		return fmt.Errorf("disk %s: %w", output, err)
	}
	return nil
}

// setKernelParam sets key=value on a kernel command line: in place of
// the parameter where it is there, at the end where not.
func setKernelParam(cmdline, key, value string) string {
	param := regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(key) + `=\S*`)
	if param.MatchString(cmdline) {
		return param.ReplaceAllString(cmdline, "${1}"+strings.ReplaceAll(key+"="+value, "$", "$$"))
	}
	return strings.TrimSpace(cmdline + " " + key + "=" + value)
}

func mustEpoch() int64 {
	n, err := strconv.ParseInt(sourceDateEpoch, 10, 64)
	if err != nil {
		panic(err) // a constant
	}
	return n
}

// bootLoaders takes the loaders out of boot.lock's packages; cleanup
// removes the extracted installer.
func bootLoaders(ctx context.Context, opts Options) (bootdisk.Loaders, func(), error) {
	var l bootdisk.Loaders
	pkgs, err := debs.ParseLock("boot.lock", bootLock)
	if err != nil {
		return l, nil, err
	}
	paths, err := opts.fetcher("boot").Fetch(ctx, pkgs)
	if err != nil {
		return l, nil, fmt.Errorf("boot loaders: %w", err)
	}
	want := map[string]map[string]*[]byte{
		"syslinux-common":  {"usr/lib/syslinux/mbr/gptmbr.bin": &l.GPTMBR},
		"systemd-boot-efi": {"usr/lib/systemd/boot/efi/systemd-bootx64.efi": &l.SystemdBoot},
	}
	var installer []byte
	want["syslinux"] = map[string]*[]byte{"usr/bin/syslinux": &installer}
	for pkg, files := range want {
		deb, ok := paths[pkg]
		if !ok {
			return l, nil, fmt.Errorf("boot.lock: no %s", pkg)
		}
		got, err := debs.Files(ctx, deb, func(p string) bool { return files[p] != nil })
		if err != nil {
			return l, nil, fmt.Errorf("boot loaders: %s: %w", pkg, err)
		}
		for _, f := range got {
			*files[f.Path] = f.Data
		}
		for p, dst := range files {
			if len(*dst) == 0 {
				return l, nil, fmt.Errorf("boot loaders: %s has no /%s", filepath.Base(deb), p)
			}
		}
	}
	f, err := os.CreateTemp("", "strata-syslinux-")
	if err != nil {
		return l, nil, err
	}
	cleanup := func() { os.Remove(f.Name()) }
	if _, err := f.Write(installer); err != nil {
		f.Close()
		cleanup()
		return l, nil, err
	}
	if err := f.Close(); err != nil {
		cleanup()
		return l, nil, err
	}
	if err := os.Chmod(f.Name(), 0o755); err != nil {
		cleanup()
		return l, nil, err
	}
	l.Syslinux = f.Name()
	return l, cleanup, nil
}

// LoadDisk describes the disk image file at path (qcow2 or raw, a user's
// own or one WriteDisk wrote): from the description beside it when there
// is one, else as an image configured by Ignition with the user "core"
// (Fedora CoreOS, Flatcar). Its distro and version are unknown unless the
// description says.
func LoadDisk(path string) (*Image, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a disk image file", path)
	}
	img := &Image{Name: strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs)), UserData: "ignition", SSHUser: "core"}
	b, err := os.ReadFile(abs + DiskInfoSuffix)
	switch {
	case err == nil:
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(img); err != nil {
			return nil, fmt.Errorf("%s%s: %w", path, DiskInfoSuffix, err)
		}
		if img.Kernel != "" || img.Initrd != "" {
			return nil, fmt.Errorf("%s%s: a disk boots through its firmware: kernel and initrd must be empty", path, DiskInfoSuffix)
		}
		switch img.UserData {
		case "fw_cfg", "ignition", "cloud-init":
		default:
			return nil, fmt.Errorf("%s%s: userdata %q: want fw_cfg, ignition or cloud-init", path, DiskInfoSuffix, img.UserData)
		}
		if img.SSHUser == "" {
			return nil, fmt.Errorf("%s%s: ssh_user is empty", path, DiskInfoSuffix)
		}
	case !os.IsNotExist(err):
		return nil, err
	}
	img.Disk, img.Dir = abs, filepath.Dir(abs)
	return img, nil
}
