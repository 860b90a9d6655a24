package azure

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/azure/api"
	"github.com/strata-os/strata/providers/azure/sim"
)

const blobWrites = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"

// uploadFixture is a simulated subscription with a storage account, and
// a client signed in to it.
func uploadFixture(t *testing.T) (*simBackend, *api.Client) {
	t.Helper()
	b := startSim(t, sim.Options{})
	b.s.AddGroup("images", nil)
	if !b.s.AddStorageAccount("images", "strataimages") {
		t.Fatal("no storage account")
	}
	c, err := Connect(context.Background(), b.flags.Account, nil, b.tune)
	if err != nil {
		t.Fatal(err)
	}
	return b, c
}

// sparseDisk writes a raw disk of size bytes that is a hole but for a few
// bytes at each offset in data.
func sparseDisk(t *testing.T, size int64, data map[int64][]byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "disk.raw")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for off, b := range data {
		if _, err := f.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// nonZeroPages counts the bytes of a file's non-zero 512-byte pages,
// and its MD5, reading it plainly.
func nonZeroPages(t *testing.T, path string) (int64, []byte) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for off := 0; off < len(b); off += 512 {
		for _, c := range b[off : off+512] {
			if c != 0 {
				n += 512
				break
			}
		}
	}
	sum := md5.Sum(b)
	return n, sum[:]
}

func needQemuImg(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed")
	}
}

// needGenisoimage skips a test whose machines boot: their provisioning
// disc is UDF, which genisoimage writes.
func needGenisoimage(t *testing.T) {
	if _, err := exec.LookPath("genisoimage"); err != nil {
		t.Skip("genisoimage is not installed")
	}
}

// A sparse 1 GiB raw disk goes up as a fixed VHD whose zero pages are
// never sent; what the simulator holds is the VHD, byte for byte.
func TestUploadSendsOnlyDataPages(t *testing.T) {
	needQemuImg(t)
	b, c := uploadFixture(t)
	disk := sparseDisk(t, 1<<30, map[int64][]byte{
		0:             bytes.Repeat([]byte{0xeb}, 4096),
		100<<20 + 7:   bytes.Repeat([]byte("strata"), 200_000), // 1.2 MB from an unaligned offset
		(4 << 20) - 3: []byte("edge"),                          // across a chunk boundary
		1<<30 - 1:     {1},
	})
	cache := t.TempDir()
	res, err := UploadVHD(context.Background(), c, UploadSpec{File: disk, Account: "strataimages", Container: "vhds", Blob: "disk.vhd", CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(cache, "*")); len(left) != 0 {
		t.Errorf("the converted VHD was left in the cache: %v", left)
	}
	if res.Size != 1<<30+512 {
		t.Errorf("uploaded %d bytes, want 1 GiB and a VHD footer", res.Size)
	}
	got, _ := b.s.BlobContent("strataimages", "vhds", "disk.vhd")
	if len(got) != 1<<30+512 || string(got[len(got)-512:len(got)-504]) != "conectix" {
		t.Fatalf("the blob is %d bytes and does not end in a VHD footer", len(got))
	}
	sum := md5.Sum(got)
	if !bytes.Equal(sum[:], res.MD5) {
		t.Errorf("the blob's MD5 is %x, the upload says %x", sum, res.MD5)
	}
	// What should have been sent, counted on the blob's own bytes.
	var want int64
	for off := 0; off < len(got); off += 512 {
		if !bytes.Equal(got[off:off+512], make([]byte, 512)) {
			want += 512
		}
	}
	if sent := b.s.BlobBytesReceived(); sent != want || res.Sent != want {
		t.Errorf("sent %d bytes (the upload says %d), want the %d bytes of non-zero pages", sent, res.Sent, want)
	}
	if want > 2<<20 {
		t.Errorf("%d bytes of non-zero pages: the fixture is not sparse", want)
	}
	if !bytes.Equal(got[100<<20+7:100<<20+13], []byte("strata")) || !bytes.Equal(got[4<<20-3:4<<20+1], []byte("edge")) {
		t.Error("the data is not where it was written")
	}
	info, err := mustStorage(t, c).Blob(context.Background(), "vhds", "disk.vhd")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(info.ContentMD5, res.MD5) || info.Metadata[createdByMetadata] != CreatedBy || info.Metadata[createdAtMetadata] == "" {
		t.Errorf("blob properties %+v: want Content-MD5 %x and strata's marks", info, res.MD5)
	}
	// The image Azure makes from it.
	img, err := c.CreateImage(context.Background(), api.ImageSpec{Group: "images", Name: "disk", BlobURI: res.URL, Tags: Tags(nil, b.s.Groups()[0].Created)})
	if err != nil {
		t.Fatalf("create image from the uploaded VHD: %v", err)
	}
	if img.Source != res.URL {
		t.Errorf("image source %q, want %q", img.Source, res.URL)
	}
}

func mustStorage(t *testing.T, c *api.Client) *api.Storage {
	t.Helper()
	st, err := c.Storage("strataimages")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// writeVHD writes a fixed VHD of size bytes of disk (a footer made by
// qemu-img) with data every stride bytes.
func writeVHD(t *testing.T, size, stride int64) string {
	t.Helper()
	needQemuImg(t)
	data := map[int64][]byte{}
	for off := int64(0); off < size; off += stride {
		data[off] = bytes.Repeat([]byte{byte(off/stride + 1)}, 8192)
	}
	raw := sparseDisk(t, size, data)
	vhd, _, err := toFixedVHD(context.Background(), raw, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return vhd
}

// An upload cut short is finished by the next one, which sends only what
// the first did not; a third finds the blob whole and sends nothing.
func TestUploadResumes(t *testing.T) {
	b, c := uploadFixture(t)
	vhd := writeVHD(t, 64<<20, 4<<20) // 16 ranges of 8 KiB
	total, sum := nonZeroPages(t, vhd)
	spec := UploadSpec{File: vhd, Account: "strataimages", Container: "vhds", Blob: "resume.vhd", Parallel: 1}

	// The create and five page writes go through; then the storage
	// account refuses writes.
	b.s.Faults().Set(fault.Rule{Call: blobWrites, Skip: 6, Effect: fault.Error, Status: 403})
	_, err := UploadVHD(context.Background(), c, spec)
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Status != 403 || !strings.Contains(err.Error(), "run it again to resume") {
		t.Fatalf("cut upload: %v, want the 403 and a word on resuming", err)
	}
	first := b.s.BlobBytesReceived()
	if first != 5*8192 {
		t.Errorf("the cut upload sent %d bytes, want 5 ranges of 8 KiB", first)
	}

	b.s.Faults().Set()
	res, err := UploadVHD(context.Background(), c, spec)
	if err != nil {
		t.Fatal(err)
	}
	if res.Resumed != first || res.Sent != total-first || b.s.BlobBytesReceived() != total {
		t.Errorf("resumed %d, sent %d, %d bytes in all; want %d resumed and %d sent of %d", res.Resumed, res.Sent, b.s.BlobBytesReceived(), first, total-first, total)
	}
	got, _ := b.s.BlobContent("strataimages", "vhds", "resume.vhd")
	if s := md5.Sum(got); !bytes.Equal(s[:], sum) {
		t.Error("the resumed blob is not the file")
	}

	again, err := UploadVHD(context.Background(), c, spec)
	if err != nil || !again.Complete || b.s.BlobBytesReceived() != total {
		t.Errorf("a third upload: %+v, %v; %d bytes in all: want it found whole and nothing sent", again, err, b.s.BlobBytesReceived())
	}

	// Another file under the same name is refused, then replaced when
	// asked to.
	other := writeVHD(t, 8<<20, 1<<20)
	spec.File = other
	if _, err := UploadVHD(context.Background(), c, spec); err == nil || !strings.Contains(err.Error(), "--overwrite") {
		t.Errorf("another file over the blob: %v, want a refusal naming --overwrite", err)
	}
	spec.Overwrite = true
	if _, err := UploadVHD(context.Background(), c, spec); err != nil {
		t.Fatal(err)
	}
	got, _ = b.s.BlobContent("strataimages", "vhds", "resume.vhd")
	if _, osum := nonZeroPages(t, other); md5.Sum(got) != [16]byte(osum) {
		t.Error("--overwrite did not replace the blob")
	}
}

// Under Storage's throttling (503 ServerBusy) and server errors, and
// answers lost after the write, the upload still lands whole: the SDK
// retries, and a page written twice is the same page.
func TestUploadUnderFaults(t *testing.T) {
	b, c := uploadFixture(t)
	vhd := writeVHD(t, 32<<20, 1<<20)
	_, sum := nonZeroPages(t, vhd)
	b.s.Faults().Set(append(fault.Chaos(0.2, 0.05), fault.Rule{Call: blobWrites, Rate: 0.05, Effect: fault.LoseAnswer})...)
	res, err := UploadVHD(context.Background(), c, UploadSpec{File: vhd, Account: "strataimages", Container: "vhds", Blob: "chaos.vhd"})
	if err != nil {
		t.Fatal(err)
	}
	if b.s.Faults().Injected() == 0 {
		t.Error("no fault was injected")
	}
	got, _ := b.s.BlobContent("strataimages", "vhds", "chaos.vhd")
	if s := md5.Sum(got); !bytes.Equal(s[:], sum) || !bytes.Equal(res.MD5, sum) {
		t.Error("the blob is not the file")
	}
}
