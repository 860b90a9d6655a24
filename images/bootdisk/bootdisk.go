// Package bootdisk writes bootable GPT disk images, without root and
// without loop mounts, byte for byte the same every time from the same
// inputs. A disk boots under BIOS and UEFI alike: its EFI system partition
// (FAT32) holds the kernel and initrd, systemd-boot as the UEFI removable
// path's loader, and syslinux, which a BIOS reaches through syslinux's GPT
// MBR and the partition's legacy-bootable attribute. A root filesystem,
// when the image has one, is the second partition.
//
// The partition table is sfdisk's, the FAT mkfs.fat's and mtools', and the
// BIOS loader is installed by syslinux's own (mtools) installer: those
// tools work on image files, so nothing needs root.
package bootdisk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/strata-os/strata/images/hosttool"
)

// Fixed identities make builds reproducible; tools would pick random ones.
const (
	// DiskGUID is the GPT disk GUID.
	DiskGUID = "8a3b1c5e-2f4d-4e6a-9b7c-1d2e3f4a5b6c"
	// ESPPartUUID and RootPartUUID name the partitions; a kernel command
	// line finds the root with root=PARTUUID=RootPartUUID.
	ESPPartUUID  = "c3e1a0f2-5b6d-4c7e-8f90-a1b2c3d4e5f6"
	RootPartUUID = "6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
)

const (
	sector   = 512
	mib      = 1 << 20
	firstLBA = 2048 // 1 MiB, where partitions are aligned
	// The backup GPT takes the last 33 sectors; a MiB keeps the disk's
	// size a whole number of MiB, which VHD and the clouds want.
	tailBytes = mib

	espType  = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	rootType = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" // Linux root (x86-64)
)

// Loaders are the boot loader files a disk carries (images.BootPackages).
type Loaders struct {
	// GPTMBR is syslinux's gptmbr.bin, the MBR boot code that chains the
	// partition marked legacy BIOS bootable.
	GPTMBR []byte
	// Syslinux is the path of syslinux's mtools installer (an executable).
	Syslinux string
	// SystemdBoot is systemd-bootx64.efi.
	SystemdBoot []byte
}

// Spec is what goes on a disk.
type Spec struct {
	// Title names the boot entry.
	Title string
	// Kernel and Initrd are files; Cmdline is the kernel command line.
	Kernel, Initrd, Cmdline string
	// RootFS is a raw filesystem image for the second partition, or "".
	RootFS string
	// ESPMiB is the EFI system partition's size; 0 means 128.
	ESPMiB int
	// Epoch is every timestamp written (SOURCE_DATE_EPOCH).
	Epoch int64
}

// toolPackages are the host programs a build runs, and their Debian
// packages.
var toolPackages = map[string]string{"sfdisk": "fdisk", "mkfs.fat": "dosfstools", "mcopy": "mtools", "mmd": "mtools"}

// CheckTools reports the first missing host program, naming its package.
func CheckTools() error {
	for _, t := range []string{"sfdisk", "mkfs.fat", "mcopy", "mmd"} {
		if _, err := hosttool.Path(t); err != nil {
			return fmt.Errorf("bootable disks need %s (apt-get install %s)", t, toolPackages[t])
		}
	}
	return nil
}

// WriteRaw writes a raw bootable disk to path; tmp holds intermediate files.
func WriteRaw(ctx context.Context, path, tmp string, s Spec, l Loaders) error {
	if err := CheckTools(); err != nil {
		return err
	}
	if len(l.GPTMBR) == 0 || len(l.GPTMBR) > 440 {
		return fmt.Errorf("gptmbr.bin is %d bytes; the MBR's boot code holds at most 440", len(l.GPTMBR))
	}
	espMiB := s.ESPMiB
	if espMiB == 0 {
		espMiB = 128
	}
	esp := filepath.Join(tmp, "esp.img")
	if err := writeESP(ctx, esp, tmp, espMiB, s, l); err != nil {
		return fmt.Errorf("EFI system partition: %w", err)
	}
	var rootBytes int64
	if s.RootFS != "" {
		fi, err := os.Stat(s.RootFS)
		if err != nil {
			return fmt.Errorf("root filesystem: %w", err)
		}
		// Partitions end on a MiB.
		rootBytes = (fi.Size() + mib - 1) / mib * mib
	}
	espStart := int64(firstLBA) * sector
	rootStart := espStart + int64(espMiB)*mib
	size := rootStart + rootBytes + tailBytes

	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		return err
	}
	table := fmt.Sprintf("label: gpt\nlabel-id: %s\nunit: sectors\nfirst-lba: %d\n"+
		"start=%d, size=%d, type=%s, uuid=%s, name=\"ESP\", attrs=\"LegacyBIOSBootable\"\n",
		DiskGUID, firstLBA, espStart/sector, int64(espMiB)*mib/sector, espType, ESPPartUUID)
	if rootBytes > 0 {
		table += fmt.Sprintf("start=%d, size=%d, type=%s, uuid=%s, name=\"root\"\n",
			rootStart/sector, rootBytes/sector, rootType, RootPartUUID)
	}
	if err := run(ctx, strings.NewReader(table), nil, "sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", path); err != nil {
		return fmt.Errorf("partition table: %w", err)
	}
	// The boot code goes before the partition records sfdisk wrote.
	if _, err := f.WriteAt(l.GPTMBR, 0); err != nil {
		return err
	}
	if err := copyAt(f, esp, espStart); err != nil {
		return fmt.Errorf("EFI system partition: %w", err)
	}
	if rootBytes > 0 {
		if err := copyAt(f, s.RootFS, rootStart); err != nil {
			return fmt.Errorf("root partition: %w", err)
		}
	}
	return f.Close()
}

// writeESP makes the FAT32 EFI system partition: both loaders with their
// configuration, the kernel and the initrd.
func writeESP(ctx context.Context, esp, tmp string, sizeMiB int, s Spec, l Loaders) error {
	stage := filepath.Join(tmp, "esp")
	files := map[string][]byte{
		"EFI/BOOT/BOOTX64.EFI": l.SystemdBoot,
		"loader/loader.conf":   []byte("default strata.conf\ntimeout 0\nconsole-mode keep\n"),
		"loader/entries/strata.conf": []byte(fmt.Sprintf("title %s\nlinux /vmlinuz\ninitrd /initrd.img\noptions %s\n",
			s.Title, s.Cmdline)),
		"syslinux/syslinux.cfg": []byte(fmt.Sprintf("SERIAL 0 115200\nDEFAULT strata\nPROMPT 0\nTIMEOUT 0\n"+
			"LABEL strata\n  MENU LABEL %s\n  LINUX /vmlinuz\n  INITRD /initrd.img\n  APPEND %s\n", s.Title, s.Cmdline)),
	}
	for name, src := range map[string]string{"vmlinuz": s.Kernel, "initrd.img": s.Initrd} {
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		files[name] = b
	}
	names := make([]string, 0, len(files))
	dirs := map[string]bool{}
	for name := range files {
		names = append(names, name)
		for d := filepath.Dir(name); d != "."; d = filepath.Dir(d) {
			dirs[d] = true
		}
	}
	sort.Strings(names)
	dirList := make([]string, 0, len(dirs))
	for d := range dirs {
		dirList = append(dirList, d)
	}
	sort.Strings(dirList) // parents sort before their children
	mtime := time.Unix(s.Epoch, 0)
	for _, name := range names {
		p := filepath.Join(stage, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			return err
		}
	}

	env := []string{"SOURCE_DATE_EPOCH=" + strconv.FormatInt(s.Epoch, 10), "MTOOLS_SKIP_CHECK=1"}
	if err := run(ctx, nil, env, "mkfs.fat", "-F", "32", "-S", "512", "-n", "STRATA-ESP",
		// --invariant: a fixed volume ID and times instead of random and now.
		"--invariant", "-C", esp, strconv.Itoa(sizeMiB*1024)); err != nil {
		return err
	}
	// One directory and one file at a time, in sorted order: FAT keeps
	// entries in the order they were made, and a recursive copy would
	// follow the host's directory order.
	for _, d := range dirList {
		if err := run(ctx, nil, env, "mmd", "-i", esp, "::/"+d); err != nil {
			return err
		}
	}
	for _, name := range names {
		if err := run(ctx, nil, env, "mcopy", "-i", esp, "-m", "-o", filepath.Join(stage, name), "::/"+name); err != nil {
			return err
		}
	}
	// syslinux writes ldlinux.sys and ldlinux.c32 into /syslinux and its
	// boot sector into the FAT's, patched with where ldlinux.sys lies.
	if err := run(ctx, nil, env, l.Syslinux, "--install", "--directory", "/syslinux", esp); err != nil {
		return err
	}
	return nil
}

// copyAt copies the file src into f at off, leaving runs of zeros as holes
// (f is new and sparse), so a mostly empty root filesystem stays small.
func copyAt(f *os.File, src string, off int64) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	buf := make([]byte, mib)
	for {
		n, err := io.ReadFull(in, buf)
		if n > 0 && !allZero(buf[:n]) {
			if _, werr := f.WriteAt(buf[:n], off); werr != nil {
				return werr
			}
		}
		off += int64(n)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// run runs a build tool; its output is kept for the error.
func run(ctx context.Context, stdin io.Reader, env []string, name string, args ...string) error {
	path := name
	if !strings.ContainsRune(name, os.PathSeparator) {
		var err error
		if path, err = hosttool.Path(name); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(args, " "), err, strings.TrimSpace(out.String()))
	}
	return nil
}
