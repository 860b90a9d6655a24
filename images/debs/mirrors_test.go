package debs

import (
	"context"
	"strings"
	"testing"
)

func TestParseMirrors(t *testing.T) {
	got, err := ParseMirrors("--debian-mirror", "http://a/debian/, https://snapshot.debian.org/archive/debian/20261201T000000Z  file:///srv/mirror\thttp://a/debian")
	if err != nil {
		t.Fatal(err)
	}
	want := "http://a/debian|https://snapshot.debian.org/archive/debian/20261201T000000Z|file:///srv/mirror"
	if strings.Join(got, "|") != want {
		t.Errorf("ParseMirrors = %q, want %q", got, want)
	}
	for _, bad := range []string{"", " , ", "ftp://a/debian", "deb.debian.org/debian", "http:///debian", "http://a/debian?x=1"} {
		if _, err := ParseMirrors("$STRATA_DEBIAN_MIRRORS", bad); err == nil || !strings.HasPrefix(err.Error(), "$STRATA_DEBIAN_MIRRORS: ") {
			t.Errorf("ParseMirrors(%q) = %v, want an error naming the source", bad, err)
		}
	}
}

// The host's sources for the locks' release, in apt's order, once each;
// other releases and source packages are not mirrors of ours.
func TestParseIndexTargets(t *testing.T) {
	out := `bookworm deb http://deb.debian.org/debian/
bookworm deb http://deb.debian.org/debian/
bookworm deb http://deb.debian.org/debian-security/
bookworm deb-src http://deb.debian.org/debian/
nodistro deb https://deb.nodesource.com/node_20.x/
trixie deb http://deb.debian.org/debian/
bookworm deb http://mirror.internal/debian/
`
	got := parseIndexTargets([]byte(out))
	want := "http://deb.debian.org/debian http://deb.debian.org/debian-security http://mirror.internal/debian"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDefaultMirrors(t *testing.T) {
	t.Setenv(MirrorsEnv, "http://one/debian,http://two/debian")
	got, err := DefaultMirrors(context.Background())
	if err != nil || strings.Join(got, " ") != "http://one/debian http://two/debian" {
		t.Errorf("with $%s: %q, %v", MirrorsEnv, got, err)
	}
	t.Setenv(MirrorsEnv, "nonsense")
	if _, err := DefaultMirrors(context.Background()); err == nil || !strings.Contains(err.Error(), "$"+MirrorsEnv) {
		t.Errorf("bad $%s: %v", MirrorsEnv, err)
	}
}
