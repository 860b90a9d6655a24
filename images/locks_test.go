package images

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/strata-os/strata/images/debs"
)

// The embedded locks parse, and pin what the images need.
func TestLocksParse(t *testing.T) {
	for name, lock := range map[string][]byte{"minimal": minimalLock, "debian": debianLock} {
		pkgs, err := debs.ParseLock(name+".lock", lock)
		if err != nil {
			t.Fatal(err)
		}
		var kernel bool
		for _, p := range pkgs {
			kernel = kernel || strings.HasPrefix(p.Name, "linux-image-6.")
		}
		if !kernel {
			t.Errorf("%s.lock pins no kernel", name)
		}
	}
}

// Every file the locks pin is still on a mirror, at its size: checked on
// each run, even when every package sits in the cache, so CI notices a
// lock that can no longer be built before a user on a new machine does.
// Needs the network (the mirrors: $STRATA_DEBIAN_MIRRORS, else the host's
// apt sources and deb.debian.org).
func TestLocksFetchable(t *testing.T) {
	if _, err := os.Stat("/usr/bin/apt-get"); err != nil && os.Getenv(debs.MirrorsEnv) == "" {
		t.Skip("not a Debian host and no $" + debs.MirrorsEnv)
	}
	for name, lock := range map[string][]byte{"minimal": minimalLock, "debian": debianLock} {
		pkgs, err := debs.ParseLock(name+".lock", lock)
		if err != nil {
			t.Fatal(err)
		}
		f := Options{}.fetcher(name)
		if err := f.Check(context.Background(), pkgs); err != nil {
			t.Errorf("%v", err)
		}
	}
}

// The minimal image builds from a mirror whose index lists none of its
// packages, as after a point release: a loopback mirror serves the pinned
// files at their pool paths (taken from the package cache, fetched once)
// and an index of other versions. The build asks for exactly the pool
// paths, checks what it gets, and boots nothing it did not pin.
func TestMinimalFromPoolWithoutIndex(t *testing.T) {
	agent := agentBinary(t)
	ctx := context.Background()
	pkgs, err := debs.ParseLock("minimal.lock", minimalLock)
	if err != nil {
		t.Fatal(err)
	}
	local, err := (&debs.Fetcher{CacheDir: sharedDebCache(t), Lock: "minimal.lock"}).Fetch(ctx, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, p := range pkgs {
		files["/debian/"+p.Filename] = local[p.Name]
	}
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.URL.Path)
		mu.Unlock()
		if r.URL.Path == "/debian/dists/bookworm/main/binary-amd64/Packages" {
			w.Write([]byte("Package: busybox-static\nVersion: 1:9.9-9\nFilename: pool/main/b/busybox/busybox-static_9.9-9_amd64.deb\n\n"))
			return
		}
		if f, ok := files[r.URL.Path]; ok {
			http.ServeFile(w, r, f)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	img, err := Build(ctx, "minimal", Options{CacheDir: t.TempDir(), Agent: agent, Mirrors: []string{srv.URL + "/debian"}})
	if err != nil {
		t.Fatal(err)
	}
	checkMinimalContents(t, img)
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != len(pkgs) {
		t.Errorf("asked %v, want one request per package", asked)
	}
	for _, a := range asked {
		if _, ok := files[a]; !ok {
			t.Errorf("asked %s: not a pinned pool path", a)
		}
	}
}

// Bazel's debian_lock rule fetches from the same mirrors in the same order
// as the Go build: the same environment variable, release and fallbacks.
func TestBazelRuleAgreesOnMirrors(t *testing.T) {
	bzl, err := os.ReadFile("debian_lock.bzl")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`_MIRRORS_ENV = "` + debs.MirrorsEnv + `"`,
		`_CODENAME = "` + debs.Codename + `"`,
		`_FALLBACK_MIRRORS = ["` + strings.Join(debs.FallbackMirrors, `", "`) + `"]`,
		`"--format", "` + debs.IndexTargetsFormat + `"`,
		`return _dedup(host + _FALLBACK_MIRRORS)`,
	} {
		if !strings.Contains(string(bzl), want) {
			t.Errorf("debian_lock.bzl lacks %s", want)
		}
	}
}
