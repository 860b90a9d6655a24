package images

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestBuildDebian builds the debian image (minutes, a few hundred MB of
// packages); set STRATA_TEST_DEBIAN=1 to run it.
func TestBuildDebian(t *testing.T) {
	if os.Getenv("STRATA_TEST_DEBIAN") == "" {
		t.Skip("set STRATA_TEST_DEBIAN=1 to build the debian image")
	}
	img, err := Build(context.Background(), "debian", Options{CacheDir: sharedCacheRoot(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", img)
	for _, f := range []string{img.Kernel, img.Initrd, img.Disk} {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestDebianReproducible builds the debian image twice from the same lock
// in two caches (sharing only the downloaded packages) and compares the
// kernel, initrd and disk byte for byte. Minutes; set STRATA_TEST_DEBIAN=1.
func TestDebianReproducible(t *testing.T) {
	if os.Getenv("STRATA_TEST_DEBIAN") == "" {
		t.Skip("set STRATA_TEST_DEBIAN=1 to build the debian image twice")
	}
	shared := sharedDebCache(t)
	var sums [2][3]string
	for i := range sums {
		cache := t.TempDir()
		if err := os.Symlink(shared, filepath.Join(cache, "debs")); err != nil {
			t.Fatal(err)
		}
		img, err := Build(context.Background(), "debian", Options{CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		for j, f := range []string{img.Kernel, img.Initrd, img.Disk} {
			if sums[i][j], err = FileSHA256(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	for j, name := range []string{"vmlinuz", "initrd.img", "disk.qcow2"} {
		if sums[0][j] != sums[1][j] {
			t.Errorf("%s differs between builds: %s vs %s", name, sums[0][j][:12], sums[1][j][:12])
		}
	}
}
