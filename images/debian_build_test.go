package images

import (
	"context"
	"os"
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
