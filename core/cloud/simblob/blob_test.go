package simblob

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"testing/iotest"
)

func newBlob(t *testing.T, data string) *Blob {
	t.Helper()
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := b.Append(strings.NewReader(data)); err != nil || n != int64(len(data)) {
		t.Fatalf("Append = %d, %v; want %d", n, err, len(data))
	}
	return b
}

func TestBlobLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	b := newBlob(t, "hello")
	defer b.Release()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%s holds %d entries while a blob is open, want none (the file is unlinked)", dir, len(entries))
	}
	got, err := io.ReadAll(io.NewSectionReader(b, 0, b.Size()))
	if err != nil || string(got) != "hello" {
		t.Errorf("read back %q, %v", got, err)
	}
}

func TestAppendAndTruncate(t *testing.T) {
	b := newBlob(t, "first chunk, ")
	defer b.Release()
	if _, err := b.Append(strings.NewReader("chunk sent twice")); err != nil {
		t.Fatal(err)
	}
	// A resumable upload sends a chunk again from where the server says
	// it got to.
	if err := b.Truncate(int64(len("first chunk, "))); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Append(strings.NewReader("second chunk")); err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(io.NewSectionReader(b, 0, b.Size()))
	if string(got) != "first chunk, second chunk" {
		t.Errorf("blob holds %q", got)
	}
	if err := b.Truncate(b.Size() + 1); err == nil {
		t.Error("Truncate past the end succeeded")
	}
}

func TestAppendReadErrorIsTheClients(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	broken := errors.New("connection reset")
	n, err := b.Append(io.MultiReader(strings.NewReader("part"), iotest.ErrReader(broken)))
	var re *ReadError
	if !errors.As(err, &re) || !errors.Is(err, broken) {
		t.Fatalf("Append of a body that broke off = %v, want a *ReadError wrapping %v", err, broken)
	}
	if n != 4 || b.Size() != 4 {
		t.Errorf("Append copied %d, blob size %d; want 4 and 4", n, b.Size())
	}
}

func TestAppendWriteErrorIsOurs(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	b.f.Close() // the disk went away
	_, err = b.Append(strings.NewReader("data"))
	var re *ReadError
	if err == nil || errors.As(err, &re) {
		t.Fatalf("Append to a closed file = %v, want a write error that is not a *ReadError", err)
	}
}

func TestJoinedReadAt(t *testing.T) {
	parts := []string{"abc", "", "defgh", "i", "jklmnop"}
	var blobs []*Blob
	for _, p := range parts {
		blobs = append(blobs, newBlob(t, p))
	}
	whole := strings.Join(parts, "")
	j := Join(blobs...)
	if j.Size() != int64(len(whole)) {
		t.Fatalf("Size = %d, want %d", j.Size(), len(whole))
	}
	for _, tc := range []struct {
		name     string
		off, len int64
	}{
		{"all", 0, int64(len(whole))},
		{"inside one blob", 4, 3},
		{"across three blobs", 2, 8},
		{"the last byte", int64(len(whole)) - 1, 1},
		{"from a boundary", 3, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := j.Open(tc.off, tc.len)
			got, err := io.ReadAll(r)
			r.Close()
			if want := whole[tc.off : tc.off+tc.len]; err != nil || string(got) != want {
				t.Errorf("Open(%d, %d) read %q, %v; want %q", tc.off, tc.len, got, err, want)
			}
		})
	}
	if err := iotest.TestReader(j.Open(0, j.Size()), []byte(whole)); err != nil {
		t.Error(err)
	}
	p := make([]byte, 4)
	if n, err := j.ReadAt(p, j.Size()-2); n != 2 || err != io.EOF {
		t.Errorf("ReadAt past the end = %d, %v; want 2, EOF", n, err)
	}
}

func TestReaderOutlivesOwner(t *testing.T) {
	b := newBlob(t, "still here")
	r := Join(b).Open(0, b.Size())
	b.Release() // the object was deleted while it was being downloaded
	got, err := io.ReadAll(r)
	if err != nil || string(got) != "still here" {
		t.Errorf("read after the owner released = %q, %v", got, err)
	}
	r.Close()
	r.Close() // a second Close must not release again
	if _, err := b.f.Stat(); err == nil {
		t.Error("file still open after the last reference went")
	}
}

func TestBlobHoldsBinary(t *testing.T) {
	data := bytes.Repeat([]byte{0, 1, 2, 0xff}, 1<<16)
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if _, err := b.Append(bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if err := iotest.TestReader(io.NewSectionReader(b, 0, b.Size()), data); err != nil {
		t.Error(err)
	}
}

// A page blob: made at its full size (a hole of zeros, no disk), written
// in the middle, never past its end.
func TestResizeAndWriteAt(t *testing.T) {
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	const size = 1 << 30
	if err := b.Resize(size); err != nil {
		t.Fatal(err)
	}
	if n, err := b.WriteAt([]byte("page"), 4096); err != nil || n != 4 {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(b.f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	if used := st.Blocks * 512; used > 1<<20 {
		t.Errorf("a 1 GiB blob with one page written uses %d bytes of disk", used)
	}
	got := make([]byte, 8)
	if _, err := b.ReadAt(got, 4092); err != nil || !bytes.Equal(got, []byte("\x00\x00\x00\x00page")) {
		t.Errorf("read back %q, %v", got, err)
	}
	if _, err := b.WriteAt([]byte("xx"), size-1); err == nil {
		t.Error("a write past the end was taken")
	}
	if err := b.Resize(10); err != nil || b.Size() != 10 {
		t.Errorf("shrink: %v, size %d", err, b.Size())
	}
}
