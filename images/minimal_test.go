package images

import (
	"testing"

	"github.com/strata-os/strata/images/debs"
)

// Each input of the minimal image names a different cache entry: an
// entry found under an old input (the command line, once) would boot
// with what it was built from.
func TestMinimalInputHash(t *testing.T) {
	pkgs := []debs.Package{{Name: "a", Version: "1", SHA256: "00"}}
	base := minimalInputHash(pkgs, "agent", MinimalCmdline)
	if again := minimalInputHash(pkgs, "agent", MinimalCmdline); again != base {
		t.Fatalf("the same inputs hash differently: %s, %s", base, again)
	}
	for name, h := range map[string]string{
		"packages": minimalInputHash([]debs.Package{{Name: "a", Version: "2", SHA256: "01"}}, "agent", MinimalCmdline),
		"agent":    minimalInputHash(pkgs, "other agent", MinimalCmdline),
		"cmdline":  minimalInputHash(pkgs, "agent", MinimalCmdline+" x"),
	} {
		if h == base {
			t.Errorf("a changed %s keeps the cache entry %s", name, base)
		}
	}
}
