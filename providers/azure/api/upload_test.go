package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// planUpload finds the runs of non-zero pages, cut at chunk boundaries,
// and digests the disk without its last page apart from that page.
func TestPlanUpload(t *testing.T) {
	const size = 8 * pageSize
	for _, tc := range []struct {
		name  string
		pages []int // non-zero pages
		chunk int64
		want  string
	}{
		{"all zero but the footer", []int{7}, 4 * pageSize, "[[3584 4096]]"},
		{"runs", []int{0, 1, 3, 7}, 8 * pageSize, "[[0 1024] [1536 2048] [3584 4096]]"},
		{"a run across a chunk's end is cut", []int{2, 3, 4, 5}, 4 * pageSize, "[[1024 2048] [2048 3072]]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			disk := make([]byte, size)
			for _, p := range tc.pages {
				disk[p*pageSize+7] = 1
			}
			f := tempFile(t, disk)
			ranges, diskSum, footerSum, err := planUpload(context.Background(), f, size, tc.chunk)
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(ranges); got != tc.want {
				t.Errorf("ranges %s, want %s", got, tc.want)
			}
			wantDisk, wantFooter := sha256.Sum256(disk[:size-pageSize]), sha256.Sum256(disk[size-pageSize:])
			if string(diskSum) != string(wantDisk[:]) || string(footerSum) != string(wantFooter[:]) {
				t.Error("digests are not of the disk without its last page and of that page")
			}
		})
	}
}

func tempFile(t *testing.T, b []byte) *os.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), "disk")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// A released page body reads and seeks no more, so its buffer can be
// reused however late the transport comes back to it.
func TestPageBodyReleased(t *testing.T) {
	buf := []byte("pages")
	b := &pageBody{r: bytes.NewReader(buf)}
	got, err := io.ReadAll(b)
	if err != nil || string(got) != "pages" {
		t.Fatalf("read %q, %v", got, err)
	}
	if _, err := b.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	b.release()
	if n, err := b.Read(make([]byte, 5)); n != 0 || !errors.Is(err, errReleased) {
		t.Errorf("read after release: %d, %v", n, err)
	}
	if _, err := b.Seek(0, io.SeekStart); !errors.Is(err, errReleased) {
		t.Errorf("seek after release: %v", err)
	}
}
