package debs

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
)

// ErrHashMismatch means a download is not the package the lock pinned.
var ErrHashMismatch = errors.New("sha256 mismatch")

// Fetch returns the path of the verified .deb of p in cacheDir, running
// apt-get download when it is not there yet.
func Fetch(ctx context.Context, p Package, cacheDir string) (string, error) {
	paths, err := FetchAll(ctx, []Package{p}, cacheDir)
	if err != nil {
		return "", err
	}
	return paths[p.Name], nil
}

func hasHash(path, want string) (bool, string) {
	f, err := os.Open(path)
	if err != nil {
		return false, ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false, ""
	}
	got := hex.EncodeToString(h.Sum(nil))
	return got == want, got
}
