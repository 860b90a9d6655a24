package images

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/strata-os/strata/images/bootdisk"
)

// TestDebianReproducible builds the debian image from an empty image cache
// (sharing only the downloaded packages) and compares its kernel, initrd
// and disk byte for byte with the image in the developer's cache, which it
// builds at the same time if it is not there (kola's debian runs then
// reuse it). The two builds run side by side once the packages are
// fetched: each is mostly one dpkg at a time. Minutes; set
// STRATA_TEST_DEBIAN=1.
//
// A check that passed is remembered in the cache under the image's input
// hash and a hash of the source that builds images (reproducibleKey), and
// not made again for the same pair, as Bazel does not run a test again
// whose inputs did not change: on a machine that checked them, a CI run
// that changed neither skips the five-minute build. A cold machine, a
// changed lock or changed image code checks again; STRATA_TEST_REBUILD=1
// always does.
func TestDebianReproducible(t *testing.T) {
	if os.Getenv("STRATA_TEST_DEBIAN") == "" {
		t.Skip("set STRATA_TEST_DEBIAN=1 to build the debian image")
	}
	// The package's longest test by minutes: the others run beside it.
	t.Parallel()
	ctx := context.Background()
	sharedOpts := Options{CacheDir: sharedCacheRoot(t)}
	pkgs, _, dir, err := debianSpec(debianLock).cacheDir(sharedOpts)
	if err != nil {
		t.Fatal(err)
	}
	shown := filepath.Join(sharedOpts.CacheDir, "reproducible", reproducibleKey(t, dir))
	if when, err := os.ReadFile(shown); err == nil && os.Getenv("STRATA_TEST_REBUILD") == "" {
		if _, ok := cached(dir); ok {
			t.Skipf("%s and the image code were shown reproducible on this machine (%s: %s); STRATA_TEST_REBUILD=1 builds it again", dir, shown, strings.TrimSpace(string(when)))
		}
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
	if !t.Failed() {
		if err := os.MkdirAll(filepath.Dir(shown), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(shown, []byte(time.Now().UTC().Format(time.RFC3339)+" debian.qcow2 sha256 "+sums[0]+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// reproducibleKey names what a reproducibility check covered: the image's
// cache directory (the hash of its inputs) and the source of the code
// that builds images, which the input hash does not cover (a change to it
// must bump a builder version, and this check is what notices when one
// was not).
func reproducibleKey(t *testing.T, imageDir string) string {
	t.Helper()
	h := sha256.New()
	var files []string
	for _, pattern := range []string{"*.go", "*.lock", "bootdisk/*.go", "debs/*.go"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) < 10 {
		wd, _ := os.Getwd()
		t.Fatalf("found %d source files of the images package from %s; run the test from its package directory", len(files), wd)
	}
	sort.Strings(files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s %d\n", f, len(b))
		h.Write(b)
	}
	return fmt.Sprintf("%s-code-%x", filepath.Base(imageDir), h.Sum(nil)[:8])
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
