package images

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/strata-os/strata/images/bootdisk"
	"github.com/strata-os/strata/images/debs"
)

// TestDebianReproducible builds the debian image from an empty image cache
// (sharing only the downloaded packages) and compares its kernel, initrd
// and disk byte for byte with the image in the developer's cache, which it
// builds at the same time if it is not there (kola's debian runs then
// reuse it). CI runs it on every run, so a lock that no longer builds is
// caught there. The two builds run side by side once the packages are
// fetched: each is mostly one dpkg at a time, and one after the other
// they were the longest part of CI. Minutes; set STRATA_TEST_DEBIAN=1.
func TestDebianReproducible(t *testing.T) {
	if os.Getenv("STRATA_TEST_DEBIAN") == "" {
		t.Skip("set STRATA_TEST_DEBIAN=1 to build the debian image")
	}
	// The package's longest test by minutes: the others run beside it.
	t.Parallel()
	ctx := context.Background()
	sharedOpts := Options{CacheDir: sharedCacheRoot(t)}
	pkgs, err := debs.ParseLock("debian.lock", debianLock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sharedOpts.fetcher("debian").Fetch(ctx, pkgs); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	if err := os.Symlink(sharedDebCache(t), filepath.Join(cache, "debs")); err != nil {
		t.Fatal(err)
	}
	var shared, fresh *Image
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		shared, err = Build(gctx, "debian", sharedOpts)
		return err
	})
	g.Go(func() (err error) {
		fresh, err = Build(gctx, "debian", Options{CacheDir: cache})
		return err
	})
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	if fresh.Dir == shared.Dir {
		t.Fatalf("the fresh build reused %s", shared.Dir)
	}
	sameBootFiles(t, shared, fresh)
	// And as a bootable disk, root filesystem in its second partition.
	if err := bootdisk.CheckTools(); err != nil {
		t.Skip(err)
	}
	var sums [2]string
	for i, img := range []*Image{shared, fresh} {
		out := filepath.Join(t.TempDir(), "debian.qcow2")
		if err := WriteDisk(ctx, img, "qcow2", out, Options{CacheDir: cache}); err != nil {
			t.Fatal(err)
		}
		if sums[i], err = FileSHA256(out); err != nil {
			t.Fatal(err)
		}
	}
	if sums[0] != sums[1] {
		t.Errorf("debian.qcow2 differs between builds: %s vs %s", sums[0][:12], sums[1][:12])
	}
}

// sameBootFiles fails the test for each of the kernel, initrd and disk
// that differs between two builds of an image.
func sameBootFiles(t *testing.T, x, y *Image) {
	t.Helper()
	for _, f := range []struct{ name, a, b string }{
		{"vmlinuz", x.Kernel, y.Kernel},
		{"initrd.img", x.Initrd, y.Initrd},
		{"disk.qcow2", x.Disk, y.Disk},
	} {
		a, err := FileSHA256(f.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := FileSHA256(f.b)
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Errorf("%s differs between builds: %s vs %s", f.name, a[:12], b[:12])
		}
	}
}
