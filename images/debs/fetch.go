package debs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ErrHashMismatch means a download is not the package the lock pinned.
var ErrHashMismatch = errors.New("sha256 mismatch")

// Fetch returns the path of the verified .deb of p in cacheDir, running
// apt-get download when it is not there yet.
func Fetch(ctx context.Context, p Package, cacheDir string) (string, error) {
	dst := filepath.Join(cacheDir, p.SHA256+".deb")
	if ok, _ := hasHash(dst, p.SHA256); ok {
		return dst, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", fmt.Errorf("deb cache: %w", err)
	}
	tmp, err := os.MkdirTemp(cacheDir, "download-")
	if err != nil {
		return "", fmt.Errorf("deb cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	// apt drops privileges to _apt for downloads; it must be able to write.
	_ = os.Chmod(tmp, 0o777)
	cmd := exec.CommandContext(ctx, "apt-get", "download", "-q", p.String())
	cmd.Dir = tmp
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if strings.Contains(msg, "Unable to locate") || strings.Contains(msg, "Version") && strings.Contains(msg, "was not found") {
			msg += " (is the apt index current? run apt-get update)"
		}
		return "", fmt.Errorf("apt-get download %s: %v: %s", p, err, msg)
	}
	files, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	if len(files) != 1 {
		return "", fmt.Errorf("apt-get download %s: want one .deb, got %d", p, len(files))
	}
	ok, got := hasHash(files[0], p.SHA256)
	if !ok {
		return "", fmt.Errorf("%s: %w: lock says %s, download is %s", p, ErrHashMismatch, p.SHA256, got)
	}
	if err := os.Rename(files[0], dst); err != nil {
		return "", fmt.Errorf("deb cache: %w", err)
	}
	return dst, nil
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
