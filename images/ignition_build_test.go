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
// (./ci/build.sh writes bin/ignition, and strata-initrd-bus beside it).
func TestIgnitionReproducible(t *testing.T) {
	binary := os.Getenv("STRATA_TEST_IGNITION")
	if binary == "" {
		t.Skip("set STRATA_TEST_IGNITION=bin/ignition to build the ignition image twice")
	}
	binary, err := filepath.Abs(binary)
	if err != nil {
		t.Fatal(err)
	}
	bus := filepath.Join(filepath.Dir(binary), ProgramInitrdBus)
	ctx := context.Background()
	shared, err := Build(ctx, "ignition", Options{CacheDir: sharedCacheRoot(t), Ignition: binary, InitrdBus: bus})
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	if err := os.Symlink(sharedDebCache(t), filepath.Join(cache, "debs")); err != nil {
		t.Fatal(err)
	}
	fresh, err := Build(ctx, "ignition", Options{CacheDir: cache, Ignition: binary, InitrdBus: bus})
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

// Without either binary the build says which is missing, before any
// work.
func TestIgnitionNeedsBinary(t *testing.T) {
	present := filepath.Join(t.TempDir(), "present")
	if err := os.WriteFile(present, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		opts Options
		want string
	}{
		{Options{}, "needs the ignition binary"},
		{Options{Ignition: present}, "needs the strata-initrd-bus binary"},
		{Options{Ignition: "/no/such/ignition", InitrdBus: present}, "/no/such/ignition"},
		{Options{Ignition: present, InitrdBus: "/no/such/bus"}, "/no/such/bus"},
	}
	for _, tc := range tests {
		tc.opts.CacheDir = t.TempDir()
		_, err := Build(context.Background(), "ignition", tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want it to say %q", tc.opts, err, tc.want)
		}
	}
}
