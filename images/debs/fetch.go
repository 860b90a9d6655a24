package debs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
)

var (
	// ErrHashMismatch means a file is not the package the lock pinned.
	ErrHashMismatch = errors.New("sha256 mismatch")
	// ErrSizeMismatch means a file is shorter or longer than the lock's
	// size: a download cut off, or another file.
	ErrSizeMismatch = errors.New("size mismatch")
	// ErrNotOnMirror means a mirror answered that it has no such file.
	ErrNotOnMirror = errors.New("not on mirror")
)

// Attempt is one URL a package was fetched from, and why it failed.
type Attempt struct {
	URL string
	Err error
}

// FetchError says a pinned package could be fetched from none of the
// mirrors: every URL tried and what each answered.
type FetchError struct {
	Lock     string // the lock file, e.g. "debian.lock"
	Package  Package
	Attempts []Attempt
	Refresh  string // the command that refreshes the lock
}

func (e *FetchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: package %s version %s (%s) could not be fetched from any mirror:", e.Lock, e.Package.Name, e.Package.Version, e.Package.Filename)
	for _, a := range e.Attempts {
		fmt.Fprintf(&b, "\n  %s: %v", a.URL, a.Err)
	}
	fmt.Fprintf(&b, "\nadd a mirror that still has it (--debian-mirror or $%s, e.g. a snapshot.debian.org archive), or refresh the lock: %s", MirrorsEnv, e.Refresh)
	return b.String()
}

// Unwrap gives each attempt's error, so errors.Is finds ErrHashMismatch.
func (e *FetchError) Unwrap() []error {
	errs := make([]error, len(e.Attempts))
	for i, a := range e.Attempts {
		errs[i] = a.Err
	}
	return errs
}

// OfflineError says an offline build lacks a package in its cache.
type OfflineError struct {
	Package  Package
	CacheDir string
}

func (e *OfflineError) Error() string {
	return fmt.Sprintf("offline build: package %s (sha256 %s) not in %s", e.Package, e.Package.SHA256, e.CacheDir)
}

// Fetcher fetches a lock's packages into a cache by their pool paths.
type Fetcher struct {
	// CacheDir keeps verified packages as <sha256>.deb.
	CacheDir string
	// Mirrors are archive roots tried in order for each package; empty
	// means DefaultMirrors.
	Mirrors []string
	// Offline fails instead of downloading a package the cache lacks.
	Offline bool
	// Lock names the lock file and Refresh the command that refreshes it,
	// for errors.
	Lock, Refresh string
	// Client makes the requests; nil means a client that also reads
	// file:// mirrors.
	Client *http.Client
	// Parallel bounds concurrent downloads; 0 means 4.
	Parallel int
	// Stall gives up on a download that receives nothing for this long;
	// 0 means a minute.
	Stall  time.Duration
	Logger *slog.Logger
}

func (f *Fetcher) stallTimeout() time.Duration {
	if f.Stall > 0 {
		return f.Stall
	}
	return time.Minute
}

var errStalled = errors.New("mirror stopped sending")

// stalledOr names a stall as the cause of an error it provoked.
func stalledOr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); errors.Is(cause, errStalled) {
		return cause
	}
	return err
}

// progressReader pushes the stall deadline back on every read that
// brings data.
type progressReader struct {
	r     io.Reader
	stall *time.Timer
	d     time.Duration
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.stall.Reset(p.d)
	}
	return n, err
}

// Fetch returns each package's verified .deb in the cache, by name,
// downloading what the cache lacks. A cached file whose size or sha256
// is wrong (a download cut off, a file put there by hand) is never used:
// it is fetched again.
func (f *Fetcher) Fetch(ctx context.Context, pkgs []Package) (map[string]string, error) {
	log := f.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	paths := map[string]string{}
	var missing []Package
	var bytes int64
	for _, p := range pkgs {
		dst := f.cachePath(p)
		if verify(dst, p) == nil {
			paths[p.Name] = dst
			continue
		}
		if f.Offline {
			return nil, &OfflineError{Package: p, CacheDir: f.CacheDir}
		}
		missing = append(missing, p)
		bytes += p.Size
	}
	if len(missing) == 0 {
		return paths, nil
	}
	mirrors, client, err := f.mirrorsAndClient(ctx)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(f.CacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("package cache: %w", err)
	}
	sweepParts(f.CacheDir, time.Hour)
	start := time.Now()
	log.Info("fetching packages", "lock", f.Lock, "packages", len(missing), "bytes", bytes, "mirrors", strings.Join(mirrors, " "))
	err = f.each(ctx, missing, 4, func(ctx context.Context, p Package) error {
		return f.fromMirrors(ctx, mirrors, p, 2, func(ctx context.Context, u string) error { return f.download(ctx, client, u, p) })
	})
	if err != nil {
		return nil, err
	}
	for _, p := range missing {
		paths[p.Name] = f.cachePath(p)
	}
	log.Info("fetched packages", "lock", f.Lock, "packages", len(missing), "bytes", bytes, "seconds", time.Since(start).Round(time.Millisecond).Seconds())
	return paths, nil
}

// mirrorsAndClient gives the mirrors and the HTTP client to use.
func (f *Fetcher) mirrorsAndClient(ctx context.Context) ([]string, *http.Client, error) {
	mirrors := f.Mirrors
	if len(mirrors) == 0 {
		var err error
		if mirrors, err = DefaultMirrors(ctx); err != nil {
			return nil, nil, err
		}
	}
	client := f.Client
	if client == nil {
		client = defaultClient
	}
	return mirrors, client, nil
}

// each runs fn for every package, at most f.Parallel (else def) at once,
// and stops at the first error: the build fails anyway, so the other
// requests are cancelled. It returns that error, or ctx's.
func (f *Fetcher) each(ctx context.Context, pkgs []Package, def int, fn func(context.Context, Package) error) error {
	parallel := f.Parallel
	if parallel <= 0 {
		parallel = def
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for _, p := range pkgs {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return fn(gctx, p) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("packages of %s: %w", f.Lock, err)
	}
	return nil
}

// cachePath is where p is kept once verified.
func (f *Fetcher) cachePath(p Package) string {
	return filepath.Join(f.CacheDir, p.SHA256+".deb")
}

// fromMirrors runs try on p's URL at each mirror in turn until one
// succeeds, up to tries times per mirror where the failure may pass (a
// dropped connection, a cut-off body, a 5xx); when none does, the
// *FetchError lists every URL and its answer.
func (f *Fetcher) fromMirrors(ctx context.Context, mirrors []string, p Package, tries int, try func(ctx context.Context, url string) error) error {
	var attempts []Attempt
	for _, m := range mirrors {
		u := m + "/" + p.Filename
		var err error
		for range tries {
			if err = try(ctx, u); err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return fmt.Errorf("%s from %s: %w", p, u, ctx.Err())
			}
			if !transient(err) {
				break
			}
		}
		attempts = append(attempts, Attempt{URL: u, Err: err})
	}
	return &FetchError{Lock: f.Lock, Package: p, Attempts: attempts, Refresh: f.Refresh}
}

// statusError is a mirror's answer other than 200.
type statusError struct{ code int }

func (e statusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.code, http.StatusText(e.code))
}

func (e statusError) Is(target error) bool {
	return target == ErrNotOnMirror && (e.code == http.StatusNotFound || e.code == http.StatusGone)
}

func transient(err error) bool {
	var s statusError
	if errors.As(err, &s) {
		return s.code >= 500 || s.code == http.StatusTooManyRequests
	}
	return !errors.Is(err, ErrHashMismatch) // cut-off bodies and network errors may pass
}

// download writes u to a temporary file in the cache, checks its size and
// sha256, and only then renames it to its cache name: a cut-off download
// or a wrong file never takes the name.
func (f *Fetcher) download(ctx context.Context, client *http.Client, u string, p Package) error {
	// A mirror that stops sending is given up on rather than waited for.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stall := time.AfterFunc(f.stallTimeout(), func() { cancel(errStalled) })
	defer stall.Stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return stalledOr(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError{resp.StatusCode}
	}
	tmp, err := os.CreateTemp(f.CacheDir, ".part-"+p.Name+"-")
	if err != nil {
		return fmt.Errorf("package cache: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	h := sha256.New()
	// One byte more than the lock's size tells a longer file from a whole one.
	body := &progressReader{r: io.LimitReader(resp.Body, p.Size+1), stall: stall, d: f.stallTimeout()}
	n, err := io.Copy(io.MultiWriter(tmp, h), body)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("after %d of %d bytes: %w", n, p.Size, stalledOr(ctx, err))
	}
	if n != p.Size {
		return fmt.Errorf("%w: got %d bytes, the lock says %d", ErrSizeMismatch, n, p.Size)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != p.SHA256 {
		return fmt.Errorf("%w: got %s, the lock says %s", ErrHashMismatch, got, p.SHA256)
	}
	if err := os.Rename(tmp.Name(), f.cachePath(p)); err != nil {
		return fmt.Errorf("package cache: %w", err)
	}
	return nil
}

// sweepParts removes downloads a killed process left half-written (they
// are never read, only taking space); young ones may be another
// process's download in flight.
func sweepParts(dir string, age time.Duration) {
	parts, _ := filepath.Glob(filepath.Join(dir, ".part-*"))
	for _, p := range parts {
		if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) > age {
			os.Remove(p)
		}
	}
}

// verify checks a cached file's size, then its sha256.
func verify(path string, p Package) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != p.Size {
		return fmt.Errorf("%s: %w: %d bytes, the lock says %d", path, ErrSizeMismatch, fi.Size(), p.Size)
	}
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != p.SHA256 {
		return fmt.Errorf("%s: %w: %s, the lock says %s", path, ErrHashMismatch, got, p.SHA256)
	}
	return nil
}

// defaultClient reads http(s) and file:// mirrors.
var defaultClient = func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.RegisterProtocol("file", http.NewFileTransport(http.Dir("/")))
	return &http.Client{Transport: t}
}()
