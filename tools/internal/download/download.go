// Package download fetches release files over HTTP the way ore download
// does: into NAME.part, resumed with a Range request (bound to the
// file's ETag by If-Range, so a file changed on the server starts over),
// checked against a SHA-256 and/or an OpenPGP detached signature, and
// only then renamed to NAME. Nothing is ever left under NAME that did not
// verify; a download cut short leaves NAME.part to resume from, one that
// failed to verify leaves nothing.
package download

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// Options are one download's.
type Options struct {
	// Client does the requests (default http.DefaultClient).
	Client *http.Client
	// SHA256, if set, is the file's hex digest.
	SHA256 string
	// Keyring, if set, is the OpenPGP public keys a detached signature
	// must be made with; Signature is the signature's URL (default the
	// file's URL with .sig).
	Keyring   []byte
	Signature string
	// Progress, if set, is told the bytes there so far and the total (-1
	// when the server does not say).
	Progress func(done, total int64)
}

// Result says what a download did.
type Result struct {
	Path    string
	Size    int64
	SHA256  string
	Resumed int64 // bytes that were there from an earlier attempt
	Signer  string
}

// VerifyError is a file that did not verify (tampered, truncated, signed
// by another key): its bytes were thrown away.
type VerifyError struct {
	URL string
	Err error
}

func (e *VerifyError) Error() string { return fmt.Sprintf("verify %s: %v", e.URL, e.Err) }
func (e *VerifyError) Unwrap() error { return e.Err }

// File downloads url to path (see the package comment).
func File(ctx context.Context, url, path string, o Options) (*Result, error) {
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.SHA256 == "" && o.Keyring == nil {
		return nil, errors.New("download " + url + ": nothing to verify it with (give a SHA-256 or a key)")
	}
	if o.SHA256 != "" {
		if b, err := hex.DecodeString(o.SHA256); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("SHA-256 %q: want 64 hex digits", o.SHA256)
		}
	}
	if o.Keyring != nil {
		// Before a gigabyte comes down for nothing.
		if _, err := ReadKeyring(o.Keyring); err != nil {
			return nil, fmt.Errorf("verification key: %w", err)
		}
	}
	part := path + ".part"
	resumed, err := fetch(ctx, o, url, part)
	if err != nil {
		return nil, err
	}
	res := &Result{Path: path, Resumed: resumed}
	if err := verify(ctx, o, url, part, res); err != nil {
		os.Remove(part)
		os.Remove(part + ".etag")
		return nil, err
	}
	if err := os.Rename(part, path); err != nil {
		return nil, fmt.Errorf("download %s: %w", url, err)
	}
	os.Remove(part + ".etag")
	return res, nil
}

// fetch brings part up to the whole file, resuming what is there, and
// says how many bytes were there already.
func fetch(ctx context.Context, o Options, url, part string) (int64, error) {
	f, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", url, err)
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", url, err)
	}
	etag, _ := os.ReadFile(part + ".etag")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", url, err)
	}
	if have > 0 && len(etag) > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
		// A file changed on the server answers whole (200), not a part
		// of the new one after the old one's start.
		req.Header.Set("If-Range", string(etag))
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("download %s: %w", url, err)
	}
	defer resp.Body.Close()
	resumed := int64(0)
	total := resp.ContentLength
	switch resp.StatusCode {
	case http.StatusPartialContent:
		resumed = have
		if total >= 0 {
			total += have
		}
	case http.StatusOK:
		if err := f.Truncate(0); err != nil {
			return 0, fmt.Errorf("download %s: %w", url, err)
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return 0, fmt.Errorf("download %s: %w", url, err)
		}
	case http.StatusRequestedRangeNotSatisfiable:
		// All of it is there already (or the part is longer than the
		// file: verification says which).
		return have, nil
	default:
		return 0, fmt.Errorf("download %s: %s", url, resp.Status)
	}
	if et := resp.Header.Get("ETag"); et != "" && !strings.HasPrefix(et, "W/") {
		if err := os.WriteFile(part+".etag", []byte(et), 0o644); err != nil {
			return 0, fmt.Errorf("download %s: %w", url, err)
		}
	} else {
		os.Remove(part + ".etag") // without a strong ETag no resume is safe
	}
	done := resumed
	w := io.Writer(f)
	if o.Progress != nil {
		w = progressWriter{w: f, done: &done, total: total, report: o.Progress}
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return 0, fmt.Errorf("download %s (cut short; run it again to resume): %w", url, err)
	}
	return resumed, f.Sync()
}

type progressWriter struct {
	w      io.Writer
	done   *int64
	total  int64
	report func(done, total int64)
}

func (p progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	*p.done += int64(n)
	p.report(*p.done, p.total)
	return n, err
}

// verify checks part against the digest and the signature.
func verify(ctx context.Context, o Options, url, part string, res *Result) error {
	f, err := os.Open(part)
	if err != nil {
		return fmt.Errorf("download %s: %w", url, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("download %s: %w", url, err)
	}
	res.Size, res.SHA256 = n, hex.EncodeToString(h.Sum(nil))
	if o.SHA256 != "" && !strings.EqualFold(o.SHA256, res.SHA256) {
		return &VerifyError{URL: url, Err: fmt.Errorf("SHA-256 is %s, want %s", res.SHA256, strings.ToLower(o.SHA256))}
	}
	if o.Keyring == nil {
		return nil
	}
	sigURL := o.Signature
	if sigURL == "" {
		sigURL = url + ".sig"
	}
	sig, err := small(ctx, o.Client, sigURL)
	if err != nil {
		return fmt.Errorf("signature of %s: %w", url, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	signer, err := checkSignature(o.Keyring, f, sig)
	if err != nil {
		return &VerifyError{URL: url, Err: err}
	}
	res.Signer = signer
	return nil
}

// small fetches a small file (a signature) whole.
func small(ctx context.Context, c *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 1<<20))
}
