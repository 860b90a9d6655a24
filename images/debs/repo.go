package debs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// MakeRepo writes a flat apt repository in dir holding exactly the given
// verified packages (name to .deb path), so that a bootstrap from it is
// offline and can pick nothing but what the lock pinned. Files are linked
// (or copied) in, since tools running in a user namespace may not reach
// the cache.
func MakeRepo(ctx context.Context, dir string, debs map[string]string) error {
	names := make([]string, 0, len(debs))
	for n := range debs {
		names = append(names, n)
	}
	sort.Strings(names)
	var packages bytes.Buffer
	for _, n := range names {
		src := debs[n]
		base := filepath.Base(src)
		dst := filepath.Join(dir, base)
		if err := os.Link(src, dst); err != nil {
			data, rerr := os.ReadFile(src)
			if rerr != nil {
				return rerr
			}
			if werr := os.WriteFile(dst, data, 0o644); werr != nil {
				return werr
			}
		}
		control, err := exec.CommandContext(ctx, "dpkg-deb", "-f", dst).Output()
		if err != nil {
			return fmt.Errorf("dpkg-deb -f %s (%s): %w", base, n, err)
		}
		fi, err := os.Stat(dst)
		if err != nil {
			return err
		}
		sum := strings.TrimSuffix(base, ".deb") // the cache names files by sha256
		packages.Write(bytes.TrimRight(control, "\n"))
		fmt.Fprintf(&packages, "\nFilename: ./%s\nSize: %d\nSHA256: %s\n\n", base, fi.Size(), sum)
	}
	if err := os.WriteFile(filepath.Join(dir, "Packages"), packages.Bytes(), 0o644); err != nil {
		return err
	}
	h := sha256.Sum256(packages.Bytes())
	release := fmt.Sprintf("Origin: strata\nLabel: strata\nSuite: bookworm\nCodename: bookworm\nArchitectures: amd64 all\nSHA256:\n %s %d Packages\n",
		hex.EncodeToString(h[:]), packages.Len())
	return os.WriteFile(filepath.Join(dir, "Release"), []byte(release), 0o644)
}
