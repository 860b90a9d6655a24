package images

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The ignition image built twice, once in the developer's cache and once
// in an empty one, gives the same kernel, initrd (Ignition and its hook
// inside) and disk (the core user, enabled units). It takes two image
// builds, so it runs when STRATA_TEST_IGNITION names the ignition binary
// (./ci/build.sh writes bin/ignition).
func TestIgnitionReproducible(t *testing.T) {
	binary := os.Getenv("STRATA_TEST_IGNITION")
	if binary == "" {
		t.Skip("set STRATA_TEST_IGNITION=bin/ignition to build the ignition image twice")
	}
	binary, err := filepath.Abs(binary)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	shared, err := Build(ctx, "ignition", Options{CacheDir: sharedCacheRoot(t), Ignition: binary})
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	if err := os.Symlink(sharedDebCache(t), filepath.Join(cache, "debs")); err != nil {
		t.Fatal(err)
	}
	fresh, err := Build(ctx, "ignition", Options{CacheDir: cache, Ignition: binary})
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Dir == shared.Dir {
		t.Fatalf("the fresh build reused %s", shared.Dir)
	}
	if fresh.InputHash != shared.InputHash || fresh.Distro != IgnitionDistro || fresh.SSHUser != "core" || fresh.UserData != "ignition" {
		t.Errorf("fresh image %+v", fresh)
	}
	sameBootFiles(t, shared, fresh)
}

// Without the binary the build says what is missing, before any work.
func TestIgnitionNeedsBinary(t *testing.T) {
	_, err := Build(context.Background(), "ignition", Options{CacheDir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "needs the ignition binary") {
		t.Errorf("err = %v", err)
	}
	_, err = Build(context.Background(), "ignition", Options{CacheDir: t.TempDir(), Ignition: "/no/such/ignition"})
	if err == nil || !strings.Contains(err.Error(), "/no/such/ignition") {
		t.Errorf("err = %v", err)
	}
}
