package bootdisk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/images/hosttool"
)

// fakeLoaders stand in for boot.lock's packages: recognisable bytes, and
// an installer that does what syslinux's does to the FAT (through mtools)
// so the disk can be checked without the real one.
func fakeLoaders(t *testing.T) Loaders {
	t.Helper()
	if err := CheckTools(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	installer := filepath.Join(dir, "syslinux")
	// Called as: syslinux --install --directory /syslinux ESP
	// From stdin, as syslinux does: the file's time is the clock's, or
	// SOURCE_DATE_EPOCH's.
	script := "#!/bin/sh\nset -e\nprintf 'ldlinux' | mcopy -i \"$4\" - ::$3/ldlinux.sys\n"
	if err := os.WriteFile(installer, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return Loaders{GPTMBR: bytes.Repeat([]byte{0xeb}, 440), Syslinux: installer, SystemdBoot: []byte("MZ systemd-boot")}
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type sfdiskTable struct {
	PartitionTable struct {
		Label      string `json:"label"`
		ID         string `json:"id"`
		Partitions []struct {
			Start int64  `json:"start"`
			Size  int64  `json:"size"`
			Type  string `json:"type"`
			UUID  string `json:"uuid"`
			Name  string `json:"name"`
			Attrs string `json:"attrs"`
		} `json:"partitions"`
	} `json:"partitiontable"`
}

func TestWriteRawLayout(t *testing.T) {
	l := fakeLoaders(t)
	dir := t.TempDir()
	root := make([]byte, 3*mib+5) // not a whole MiB: the partition rounds up
	copy(root, "ROOTFS-START")
	copy(root[2*mib:], "ROOTFS-MIDDLE")
	spec := Spec{
		Title: "strata test", Kernel: writeFile(t, dir, "vmlinuz", []byte("KERNEL")),
		Initrd: writeFile(t, dir, "initrd.img", []byte("INITRD")), Cmdline: "console=ttyS0 root=PARTUUID=" + RootPartUUID,
		RootFS: writeFile(t, dir, "root.ext4", root), ESPMiB: 40, Epoch: 1700000000,
	}
	disk := filepath.Join(dir, "disk.raw")
	if err := WriteRaw(context.Background(), disk, t.TempDir(), spec, l); err != nil {
		t.Fatal(err)
	}

	sfdisk, err := hosttool.Path("sfdisk")
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sfdisk, "--json", disk).Output()
	if err != nil {
		t.Fatal(err)
	}
	var tab sfdiskTable
	if err := json.Unmarshal(out, &tab); err != nil {
		t.Fatal(err)
	}
	pt := tab.PartitionTable
	if pt.Label != "gpt" || !strings.EqualFold(pt.ID, DiskGUID) || len(pt.Partitions) != 2 {
		t.Fatalf("partition table %+v", pt)
	}
	esp, rootPart := pt.Partitions[0], pt.Partitions[1]
	if esp.Start != firstLBA || esp.Size != 40*mib/sector || !strings.EqualFold(esp.Type, espType) ||
		!strings.EqualFold(esp.UUID, ESPPartUUID) || esp.Attrs != "LegacyBIOSBootable" {
		t.Errorf("ESP %+v", esp)
	}
	if rootPart.Start != firstLBA+40*mib/sector || rootPart.Size != 4*mib/sector ||
		!strings.EqualFold(rootPart.UUID, RootPartUUID) || !strings.EqualFold(rootPart.Type, rootType) {
		t.Errorf("root %+v", rootPart)
	}

	raw, err := os.ReadFile(disk)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw[:440], l.GPTMBR) {
		t.Error("the MBR does not start with the GPT MBR boot code")
	}
	if raw[510] != 0x55 || raw[511] != 0xaa || raw[446+4] != 0xee {
		t.Errorf("no protective MBR: signature %x %x, type %x", raw[510], raw[511], raw[446+4])
	}
	rootAt := rootPart.Start * sector
	if !bytes.Equal(raw[rootAt:rootAt+int64(len(root))], root) {
		t.Error("the root partition does not hold the root filesystem")
	}
	if want := (rootPart.Start + rootPart.Size) * sector; int64(len(raw)) < want+33*sector {
		t.Errorf("disk of %d bytes has no room for the backup GPT after %d", len(raw), want)
	}

	espFile := disk + "@@" + "1M"
	for name, want := range map[string]string{
		"::/vmlinuz":                    "KERNEL",
		"::/initrd.img":                 "INITRD",
		"::/EFI/BOOT/BOOTX64.EFI":       "MZ systemd-boot",
		"::/syslinux/ldlinux.sys":       "ldlinux",
		"::/loader/entries/strata.conf": "options console=ttyS0 root=PARTUUID=" + RootPartUUID,
		"::/syslinux/syslinux.cfg":      "APPEND console=ttyS0 root=PARTUUID=" + RootPartUUID,
		"::/loader/loader.conf":         "timeout 0",
	} {
		got, err := exec.Command("mtype", "-i", espFile, name).CombinedOutput()
		if err != nil {
			t.Errorf("mtype %s: %v: %s", name, err, got)
			continue
		}
		if !strings.Contains(string(got), want) {
			t.Errorf("%s = %q, want it to hold %q", name, got, want)
		}
	}
	if got, err := exec.Command("mdir", "-i", espFile, "::/vmlinuz").CombinedOutput(); err != nil || !strings.Contains(string(got), "2023-11-14") {
		t.Errorf("vmlinuz's time is not the epoch's: %v: %s", err, got)
	}
}

// Two builds at different times give the same bytes; what was built is
// what the inputs say (a changed command line changes the disk).
func TestWriteRawReproducible(t *testing.T) {
	l := fakeLoaders(t)
	dir := t.TempDir()
	spec := Spec{Title: "strata", Kernel: writeFile(t, dir, "k", []byte("K")), Initrd: writeFile(t, dir, "i", []byte("I")),
		Cmdline: "console=ttyS0", ESPMiB: 40, Epoch: 1700000000}
	sum := func(s Spec) [32]byte {
		p := filepath.Join(t.TempDir(), "disk.raw")
		if err := WriteRaw(context.Background(), p, t.TempDir(), s, l); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(b)
	}
	a := sum(spec)
	time.Sleep(1100 * time.Millisecond) // FAT times have a 2 s grain; cross a second at least
	if b := sum(spec); a != b {
		t.Error("two builds of the same spec differ")
	}
	changed := spec
	changed.Cmdline += " quiet"
	if c := sum(changed); c == a {
		t.Error("a different command line gave the same disk")
	}
}

func TestWriteRawErrors(t *testing.T) {
	l := fakeLoaders(t)
	dir := t.TempDir()
	good := Spec{Kernel: writeFile(t, dir, "k", []byte("K")), Initrd: writeFile(t, dir, "i", []byte("I")), ESPMiB: 40}
	for _, tc := range []struct {
		name string
		spec Spec
		l    Loaders
		want string
	}{
		{"missing kernel", Spec{Kernel: filepath.Join(dir, "nope"), Initrd: good.Initrd, ESPMiB: 40}, l, "nope"},
		{"missing root", Spec{Kernel: good.Kernel, Initrd: good.Initrd, RootFS: filepath.Join(dir, "noroot"), ESPMiB: 40}, l, "noroot"},
		{"big MBR code", good, Loaders{GPTMBR: make([]byte, 512), Syslinux: l.Syslinux, SystemdBoot: l.SystemdBoot}, "440"},
		{"broken installer", good, Loaders{GPTMBR: l.GPTMBR, Syslinux: "/bin/false", SystemdBoot: l.SystemdBoot}, "false"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := WriteRaw(context.Background(), filepath.Join(t.TempDir(), "d"), t.TempDir(), tc.spec, tc.l)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one naming %q", err, tc.want)
			}
		})
	}
}
