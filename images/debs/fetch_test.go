package debs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// pool is a fake Debian mirror on loopback: files by path under its root,
// and a log of the paths asked for. Its dists/ index lists none of the
// packages, as after a point release.
type pool struct {
	mu    sync.Mutex
	files map[string][]byte
	asked []string
	// cut sends only this many bytes of every file, then drops the
	// connection (a download cut off half-way); 0 sends whole files.
	cut int
	srv *httptest.Server
}

func newPool(t *testing.T) *pool {
	p := &pool{files: map[string][]byte{
		"dists/bookworm/main/binary-amd64/Packages": []byte("Package: something-else\nVersion: 1\n\n"),
	}}
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.asked = append(p.asked, r.URL.Path)
		data, ok := p.files[strings.TrimPrefix(r.URL.Path, "/debian/")]
		cut := p.cut
		p.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		if cut > 0 && cut < len(data) {
			w.Write(data[:cut])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // drop the connection mid-body
		}
		w.Write(data)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pool) root() string { return p.srv.URL + "/debian" }

// add serves a package at its pool path and returns its lock entry.
func (p *pool) add(name, version string, data []byte) Package {
	sum := sha256.Sum256(data)
	pkg := Package{
		Name: name, Version: version, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Filename: fmt.Sprintf("pool/main/%c/%s/%s_%s_amd64.deb", name[0], name, name, version),
	}
	p.mu.Lock()
	p.files[pkg.Filename] = data
	p.mu.Unlock()
	return pkg
}

func (p *pool) setCut(n int) {
	p.mu.Lock()
	p.cut = n
	p.mu.Unlock()
}

func (p *pool) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

func fetcher(t *testing.T, mirrors ...string) *Fetcher {
	return &Fetcher{CacheDir: t.TempDir(), Mirrors: mirrors, Lock: "test.lock", Refresh: "ore qemu update-lock test", Stall: 5 * time.Second}
}

// The lock's pool path is enough: the index lists none of the packages,
// yet each is fetched from the pool, verified and kept in the cache; a
// second fetch asks the mirror for nothing.
func TestFetchByPoolPathWithoutIndex(t *testing.T) {
	p := newPool(t)
	var pkgs []Package
	for i := range 10 {
		pkgs = append(pkgs, p.add(fmt.Sprintf("pkg%d", i), "1.0-1+deb12u1", []byte(strings.Repeat(fmt.Sprint(i), 1000+i))))
	}
	f := fetcher(t, p.root())
	paths, err := f.Fetch(context.Background(), pkgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range pkgs {
		want := filepath.Join(f.CacheDir, pkg.SHA256+".deb")
		if paths[pkg.Name] != want {
			t.Errorf("%s at %q, want %q", pkg.Name, paths[pkg.Name], want)
		}
		if err := verify(want, pkg); err != nil {
			t.Errorf("%s: %v", pkg.Name, err)
		}
	}
	asked := p.requests()
	if len(asked) != len(pkgs) {
		t.Errorf("asked %d paths, want one per package: %v", len(asked), asked)
	}
	for _, a := range asked {
		if !strings.HasPrefix(a, "/debian/pool/main/") {
			t.Errorf("asked %s: not a pool path", a)
		}
	}
	if _, err := f.Fetch(context.Background(), pkgs); err != nil {
		t.Fatal(err)
	}
	if n := len(p.requests()); n != len(pkgs) {
		t.Errorf("a cached fetch asked the mirror again (%d requests)", n-len(pkgs))
	}
	if left, _ := filepath.Glob(filepath.Join(f.CacheDir, ".part-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// Mirrors are tried in order: a package the first lacks comes from the
// second.
func TestFetchFallsBackToNextMirror(t *testing.T) {
	first, second := newPool(t), newPool(t)
	a := first.add("a", "1", []byte("in the first"))
	b := second.add("b", "2", []byte("only in the second"))
	f := fetcher(t, first.root(), second.root())
	if _, err := f.Fetch(context.Background(), []Package{a, b}); err != nil {
		t.Fatal(err)
	}
	if got := second.requests(); len(got) != 1 || !strings.HasSuffix(got[0], b.Filename) {
		t.Errorf("second mirror asked %v, want only %s", got, b.Filename)
	}
}

// A file gone from every mirror: the error names the lock, the package,
// its version, every URL tried and the refresh command, and the cache
// holds nothing of it.
func TestFetchMissingNamesPackageAndURLs(t *testing.T) {
	first, second := newPool(t), newPool(t)
	gone := Package{Name: "base-files", Version: "12.4+deb12u14", Size: 70940, SHA256: strings.Repeat("ab", 32),
		Filename: "pool/main/b/base-files/base-files_12.4+deb12u14_amd64.deb"}
	f := fetcher(t, first.root(), second.root())
	_, err := f.Fetch(context.Background(), []Package{gone})
	var fe *FetchError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *FetchError", err)
	}
	msg := err.Error()
	for _, want := range []string{
		"test.lock: package base-files version 12.4+deb12u14",
		first.root() + "/" + gone.Filename + ": HTTP 404 Not Found",
		second.root() + "/" + gone.Filename + ": HTTP 404 Not Found",
		"ore qemu update-lock test",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	if !errors.Is(err, ErrNotOnMirror) || len(fe.Attempts) != 2 {
		t.Errorf("attempts %+v", fe.Attempts)
	}
	assertCacheEmpty(t, f.CacheDir)
}

// A mirror serving another file under the pinned path: the error names
// the package and the URL with both hashes; nothing enters the cache.
func TestFetchWrongHash(t *testing.T) {
	p := newPool(t)
	pkg := p.add("cloud-init", "22.4.2-1+deb12u3", []byte("the real package"))
	p.mu.Lock()
	p.files[pkg.Filename] = []byte("another package!") // same size, other bytes
	p.mu.Unlock()
	f := fetcher(t, p.root())
	_, err := f.Fetch(context.Background(), []Package{pkg})
	if !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("err = %v, want ErrHashMismatch", err)
	}
	for _, want := range []string{"package cloud-init version 22.4.2-1+deb12u3", p.root() + "/" + pkg.Filename, "the lock says " + pkg.SHA256} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if n := len(p.requests()); n != 1 {
		t.Errorf("a wrong hash was retried: %d requests", n)
	}
	assertCacheEmpty(t, f.CacheDir)
}

// A download cut off half-way is retried, then reported with how much
// arrived; the cache keeps no part of it.
func TestFetchCutOffDownload(t *testing.T) {
	p := newPool(t)
	pkg := p.add("libssl3", "3.0.20-1~deb12u1", []byte(strings.Repeat("x", 100000)))
	p.setCut(1000)
	f := fetcher(t, p.root())
	_, err := f.Fetch(context.Background(), []Package{pkg})
	if err == nil || !strings.Contains(err.Error(), "of 100000 bytes") {
		t.Fatalf("err = %v, want the short read reported", err)
	}
	if n := len(p.requests()); n != 2 {
		t.Errorf("%d requests, want the cut-off download tried twice", n)
	}
	assertCacheEmpty(t, f.CacheDir)
	p.setCut(0) // the mirror recovers: the next fetch completes
	if _, err := f.Fetch(context.Background(), []Package{pkg}); err != nil {
		t.Fatal(err)
	}
}

// What is already in the cache under a package's name but is not that
// package (a truncated file, another file put there) is never used: it is
// fetched again and replaced.
func TestFetchReplacesBadCacheEntries(t *testing.T) {
	p := newPool(t)
	data := []byte(strings.Repeat("debian", 500))
	good := p.add("bash", "5.2.15-2+b13", data)
	f := fetcher(t, p.root())
	if err := os.MkdirAll(f.CacheDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// A half-written download a killed process left behind an hour ago
	// goes; one in flight now stays.
	stale, fresh := filepath.Join(f.CacheDir, ".part-bash-1"), filepath.Join(f.CacheDir, ".part-bash-2")
	for _, p := range []string{stale, fresh} {
		if err := os.WriteFile(p, data[:10], 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-2 * time.Hour)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{data[:len(data)/2], []byte(strings.Repeat("DEBIAN", 500))} {
		dst := filepath.Join(f.CacheDir, good.SHA256+".deb")
		if err := os.WriteFile(dst, bad, 0o644); err != nil {
			t.Fatal(err)
		}
		before := len(p.requests())
		paths, err := f.Fetch(context.Background(), []Package{good})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(paths["bash"]); string(got) != string(data) {
			t.Errorf("cache still holds the bad file (%d bytes)", len(got))
		}
		if len(p.requests()) != before+1 {
			t.Errorf("bad cache entry not fetched again")
		}
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale partial download kept: %v", err)
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Errorf("a download in flight was removed: %v", err)
	}
}

// Offline, a package missing from the cache is named, and no mirror is
// asked.
func TestFetchOffline(t *testing.T) {
	p := newPool(t)
	pkg := p.add("busybox-static", "1:1.35.0-4+deb12u1+b1", []byte("busybox"))
	f := fetcher(t, p.root())
	f.Offline = true
	_, err := f.Fetch(context.Background(), []Package{pkg})
	var oe *OfflineError
	if !errors.As(err, &oe) || !strings.Contains(err.Error(), "offline build: package busybox-static=1:1.35.0-4+deb12u1+b1") {
		t.Errorf("err = %v", err)
	}
	if len(p.requests()) != 0 {
		t.Errorf("offline fetch asked the mirror")
	}
}

// A mirror that accepts the request and then sends nothing is given up on
// after the stall timeout, and the next mirror serves the package.
func TestFetchStalledMirror(t *testing.T) {
	release := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer stuck.Close()
	defer close(release)
	p := newPool(t)
	pkg := p.add("tzdata", "2026b-0+deb12u1", []byte("zones"))
	f := fetcher(t, stuck.URL, p.root())
	f.Stall = 200 * time.Millisecond
	if _, err := f.Fetch(context.Background(), []Package{pkg}); err != nil {
		t.Fatalf("err = %v, want the second mirror to serve it", err)
	}
}

func assertCacheEmpty(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		t.Errorf("cache holds %s after a failed fetch", e.Name())
	}
}

// Check finds every package on some mirror without downloading it, and
// names the one that no mirror has, or has at another size.
func TestCheck(t *testing.T) {
	first, second := newPool(t), newPool(t)
	a := first.add("a", "1", []byte("aaaa"))
	b := second.add("b", "1", []byte("bbbb"))
	f := fetcher(t, first.root(), second.root())
	if err := f.Check(context.Background(), []Package{a, b}); err != nil {
		t.Fatal(err)
	}
	assertCacheEmpty(t, f.CacheDir)
	gone := a
	gone.Name, gone.Filename = "gone", "pool/main/g/gone/gone_1_amd64.deb"
	err := f.Check(context.Background(), []Package{a, gone, b})
	if !errors.Is(err, ErrNotOnMirror) || !strings.Contains(err.Error(), "package gone version 1") || !strings.Contains(err.Error(), second.root()+"/"+gone.Filename) {
		t.Errorf("missing package: %v", err)
	}
	resized := b
	resized.Size = 5
	if err := f.Check(context.Background(), []Package{resized}); !errors.Is(err, ErrSizeMismatch) {
		t.Errorf("wrong size: %v", err)
	}
}

// Ctrl-C in the middle of a download returns at once with the
// cancellation, and leaves nothing in the cache.
func TestFetchCancelled(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte(strings.Repeat("x", 500)))
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	defer srv.Close()
	pkg := Package{Name: "dbus", Version: "1.14.10-1~deb12u1", Size: 1000, SHA256: strings.Repeat("c", 64), Filename: "pool/main/d/dbus/dbus.deb"}
	f := fetcher(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	_, err := f.Fetch(ctx, []Package{pkg})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want the cancellation", err)
	}
	assertCacheEmpty(t, f.CacheDir)
}
