package debs

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// FetchAll is Fetch for many packages with one apt-get call for those not
// cached yet. It returns each package's verified .deb, by name.
func FetchAll(ctx context.Context, pkgs []Package, cacheDir string) (map[string]string, error) {
	paths := map[string]string{}
	var missing []Package
	for _, p := range pkgs {
		dst := filepath.Join(cacheDir, p.SHA256+".deb")
		if ok, _ := hasHash(dst, p.SHA256); ok {
			paths[p.Name] = dst
		} else {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return paths, nil
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("deb cache: %w", err)
	}
	tmp, err := os.MkdirTemp(cacheDir, "download-")
	if err != nil {
		return nil, fmt.Errorf("deb cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	_ = os.Chmod(tmp, 0o777) // apt downloads as _apt
	args := []string{"download", "-q"}
	for _, p := range missing {
		args = append(args, p.String())
	}
	cmd := exec.CommandContext(ctx, "apt-get", args...)
	cmd.Dir = tmp
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("apt-get download %s: %v: %s (is the apt index current? run apt-get update; if the lock's versions left the mirror, regenerate the lock)",
			describe(missing), err, strings.TrimSpace(stderr.String()))
	}
	// apt names files name_version_arch.deb, the version URL-escaped.
	byName := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(tmp, "*.deb"))
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".deb")
		parts := strings.Split(base, "_")
		if len(parts) != 3 {
			continue
		}
		v, err := url.PathUnescape(parts[1])
		if err != nil {
			continue
		}
		byName[parts[0]+"="+v] = f
	}
	for _, p := range missing {
		f, ok := byName[p.String()]
		if !ok {
			return nil, fmt.Errorf("apt-get download did not produce %s", p)
		}
		if ok, got := hasHash(f, p.SHA256); !ok {
			return nil, fmt.Errorf("%s: %w: lock says %s, download is %s", p, ErrHashMismatch, p.SHA256, got)
		}
		dst := filepath.Join(cacheDir, p.SHA256+".deb")
		if err := os.Rename(f, dst); err != nil {
			return nil, fmt.Errorf("deb cache: %w", err)
		}
		paths[p.Name] = dst
	}
	return paths, nil
}

// describe names one package, or counts many.
func describe(pkgs []Package) string {
	if len(pkgs) == 1 {
		return pkgs[0].String()
	}
	return fmt.Sprintf("(%d packages)", len(pkgs))
}
