package bootdisk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// smallDisk is a raw disk from WriteRaw with a root partition.
func smallDisk(t *testing.T) string {
	t.Helper()
	l := fakeLoaders(t)
	dir := t.TempDir()
	root := bytes.Repeat([]byte("root"), mib/4)
	spec := Spec{Title: "t", Kernel: writeFile(t, dir, "k", []byte("K")), Initrd: writeFile(t, dir, "i", []byte("I")),
		RootFS: writeFile(t, dir, "root", root), ESPMiB: 40, Epoch: 1700000000}
	p := filepath.Join(dir, "disk.raw")
	if err := WriteRaw(context.Background(), p, t.TempDir(), spec, l); err != nil {
		t.Fatal(err)
	}
	return p
}

func convert(t *testing.T, raw, format string) string {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("no qemu-img")
	}
	out := filepath.Join(t.TempDir(), "disk."+format)
	if err := Convert(context.Background(), raw, format, out, "strata-test", 1700000000); err != nil {
		t.Fatal(err)
	}
	return out
}

func sum(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func qemuImgInfo(t *testing.T, p string) (format string, virtualSize int64, createType string) {
	t.Helper()
	out, err := exec.Command("qemu-img", "info", "--output=json", p).Output()
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Format         string `json:"format"`
		VirtualSize    int64  `json:"virtual-size"`
		FormatSpecific struct {
			Data struct {
				CreateType string `json:"create-type"`
			} `json:"data"`
		} `json:"format-specific"`
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatal(err)
	}
	return info.Format, info.VirtualSize, info.FormatSpecific.Data.CreateType
}

// sameContent says whether QEMU reads the same disk from both files.
func sameContent(t *testing.T, a, b string) bool {
	t.Helper()
	out, err := exec.Command("qemu-img", "compare", "-q", a, b).CombinedOutput()
	if err != nil {
		t.Logf("qemu-img compare: %v %s", err, out)
	}
	return err == nil
}

// Every format is the same bytes when written twice, and holds the disk.
func TestFormatsReproducibleAndFaithful(t *testing.T) {
	raw := smallDisk(t)
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			a, b := convert(t, raw, format), convert(t, raw, format)
			if sum(t, a) != sum(t, b) {
				t.Errorf("two conversions differ")
			}
			switch format {
			case "raw", "qcow2":
				if !sameContent(t, raw, a) {
					t.Error("the content differs from the raw disk")
				}
			}
		})
	}
}

func TestFixedVHD(t *testing.T) {
	raw := smallDisk(t)
	vhd := convert(t, raw, "vhd")
	rawBytes, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(vhd)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != len(rawBytes)+512 || !bytes.Equal(b[:len(rawBytes)], rawBytes) {
		t.Fatalf("a fixed VHD is the disk and a 512-byte footer: %d bytes for a disk of %d", len(b), len(rawBytes))
	}
	footer := b[len(rawBytes):]
	be := binary.BigEndian
	if string(footer[:8]) != "conectix" || be.Uint32(footer[60:]) != 2 || be.Uint64(footer[48:]) != uint64(len(rawBytes)) ||
		be.Uint64(footer[16:]) != ^uint64(0) {
		t.Errorf("footer: cookie %q type %d size %d offset %x", footer[:8], be.Uint32(footer[60:]), be.Uint64(footer[48:]), be.Uint64(footer[16:]))
	}
	var s uint32
	for i, x := range footer {
		if i < 64 || i >= 68 {
			s += uint32(x)
		}
	}
	if ^s != be.Uint32(footer[64:]) {
		t.Errorf("checksum %x, want %x", be.Uint32(footer[64:]), ^s)
	}
	if got := be.Uint32(footer[24:]); got != 1700000000-vhdEpoch {
		t.Errorf("timestamp %d, want the epoch's", got)
	}
	if !bytes.Equal(footer[68:84], vhdDiskID[:]) {
		t.Errorf("disk ID %x, want the fixed one", footer[68:84])
	}
	// A fixed VHD has its footer only at the end, so QEMU must be told.
	out, err := exec.Command("qemu-img", "compare", "-q", "-f", "vpc", "-F", "raw", vhd, raw).CombinedOutput()
	if err != nil {
		t.Errorf("QEMU reads another disk from the VHD: %v %s", err, out)
	}
	odd := filepath.Join(t.TempDir(), "odd.raw")
	if err := os.WriteFile(odd, make([]byte, mib+512), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeFixedVHD(context.Background(), odd, filepath.Join(t.TempDir(), "odd.vhd"), 0); err == nil || !strings.Contains(err.Error(), "whole number of MiB") {
		t.Errorf("odd size: %v", err)
	}
}

func TestStreamOptimizedVMDK(t *testing.T) {
	raw := smallDisk(t)
	vmdk := convert(t, raw, "vmdk")
	format, size, createType := qemuImgInfo(t, vmdk)
	if format != "vmdk" || createType != "streamOptimized" {
		t.Errorf("%s %s, want a streamOptimized vmdk", format, createType)
	}
	if fi, _ := os.Stat(raw); size != fi.Size() {
		t.Errorf("virtual size %d, want %d", size, fi.Size())
	}
	if !sameContent(t, raw, vmdk) {
		t.Error("the content differs from the raw disk")
	}
	head := make([]byte, 64*1024)
	f, err := os.Open(vmdk)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n, _ := io.ReadFull(f, head)
	if !bytes.Contains(head[:n], []byte("\nCID=5354524b\n")) {
		t.Error("the descriptor's CID is not the fixed one")
	}
}

func TestOVA(t *testing.T) {
	raw := smallDisk(t)
	ova := convert(t, raw, "ova")
	f, err := os.Open(ova)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	var names []string
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		files[h.Name] = b
	}
	want := []string{"strata-test.ovf", "strata-test-disk1.vmdk", "strata-test.mf"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("members %v, want %v (the descriptor first)", names, want)
	}
	var env struct {
		References struct {
			File []struct {
				Href string `xml:"href,attr"`
				Size int64  `xml:"size,attr"`
			} `xml:"File"`
		} `xml:"References"`
		Disks []struct {
			Capacity int64 `xml:"capacity,attr"`
		} `xml:"DiskSection>Disk"`
	}
	if err := xml.Unmarshal(files["strata-test.ovf"], &env); err != nil {
		t.Fatalf("descriptor: %v", err)
	}
	disk := files["strata-test-disk1.vmdk"]
	fi, _ := os.Stat(raw)
	if len(env.References.File) != 1 || env.References.File[0].Href != "strata-test-disk1.vmdk" ||
		env.References.File[0].Size != int64(len(disk)) || len(env.Disks) != 1 || env.Disks[0].Capacity != fi.Size() {
		t.Errorf("descriptor: %+v", env)
	}
	for _, name := range want[:2] {
		s := sha256.Sum256(files[name])
		line := "SHA256(" + name + ")= " + hex.EncodeToString(s[:])
		if !strings.Contains(string(files["strata-test.mf"]), line) {
			t.Errorf("manifest lacks %q:\n%s", line, files["strata-test.mf"])
		}
	}
}

func TestGCETar(t *testing.T) {
	raw := smallDisk(t)
	tgz := convert(t, raw, "gce-tar")
	f, err := os.Open(tgz)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	h, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(tr)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(raw)
	if h.Name != "disk.raw" || h.Format != tar.FormatGNU || !bytes.Equal(got, want) {
		t.Errorf("member %q (%v), %d bytes, want disk.raw in GNU format holding the disk", h.Name, h.Format, len(got))
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("more than disk.raw in the archive: %v", err)
	}
}

func TestConvertUnknownFormat(t *testing.T) {
	err := Convert(context.Background(), "x", "floppy", "y", "n", 0)
	if err == nil || !strings.Contains(err.Error(), `"floppy"`) {
		t.Errorf("err = %v", err)
	}
}

// qemu-img writes CIDs in hex without leading zeros; a short one is
// fixed as well (the whole descriptor is rewritten, not patched in place).
func TestFixVMDKDescriptorShortCID(t *testing.T) {
	desc := "# Disk DescriptorFile\nversion=1\nCID=abc1234\nparentCID=ffffffff\ncreateType=\"streamOptimized\"\n"
	b := make([]byte, 3*sector)
	copy(b, "KDMV")
	binary.LittleEndian.PutUint64(b[28:], 1) // descriptor at sector 1
	binary.LittleEndian.PutUint64(b[36:], 2) // two sectors long
	copy(b[sector:], desc)
	p := filepath.Join(t.TempDir(), "d.vmdk")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fixVMDKDescriptor(p); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	text := string(bytes.TrimRight(got[sector:], "\x00"))
	want := strings.Replace(desc, "CID=abc1234", "CID=5354524b", 1)
	if text != want || len(got) != len(b) {
		t.Errorf("descriptor %q, want %q", text, want)
	}
	copy(b, "XXXX")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := fixVMDKDescriptor(p); err == nil || !strings.Contains(err.Error(), "header") {
		t.Errorf("no header: %v", err)
	}
}
