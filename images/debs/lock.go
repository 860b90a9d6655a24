// Package debs fetches pinned Debian packages and reads their contents
// without root. A lock file pins each package by everything needed to
// fetch and check it without a package index: its name and version, its
// size and sha256, and its path in the archive's pool. Fetching goes
// straight to the pool of each mirror in turn, so a pin keeps working
// after a point release drops its version from the index; the verified
// .deb is kept in a cache by hash so that later builds need no network.
package debs

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Package is one line of a lock file.
type Package struct {
	Name    string
	Version string
	Size    int64
	SHA256  string
	// Filename is the package's path under a mirror's root, as the index's
	// Filename field gives it (pool/main/b/bash/bash_5.2.15-2+b13_amd64.deb).
	Filename string
}

func (p Package) String() string { return p.Name + "=" + p.Version }

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
	hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// lockColumns is the line format, for errors and the file's header.
const lockColumns = "name version size sha256 filename"

// ParseLock reads "name version size sha256 filename" lines; # starts a
// comment. source names the file in errors.
func ParseLock(source string, data []byte) ([]Package, error) {
	var pkgs []Package
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) != 5 {
			hint := ""
			if len(f) == 3 {
				hint = " (a lock from before pool paths: refresh it with ore qemu update-lock)"
			}
			return nil, fmt.Errorf("%s:%d: want %q, got %d fields%s", source, n, lockColumns, len(f), hint)
		}
		p := Package{Name: f[0], Version: f[1], SHA256: f[3], Filename: f[4]}
		size, err := strconv.ParseInt(f[2], 10, 64)
		switch {
		case !nameRE.MatchString(p.Name):
			return nil, fmt.Errorf("%s:%d: bad package name %q", source, n, p.Name)
		case err != nil || size <= 0:
			return nil, fmt.Errorf("%s:%d: %s: size %q is not a positive number of bytes", source, n, p.Name, f[2])
		case !hashRE.MatchString(p.SHA256):
			return nil, fmt.Errorf("%s:%d: %s: sha256 must be 64 lowercase hex digits", source, n, p.Name)
		case !validFilename(p.Filename):
			return nil, fmt.Errorf("%s:%d: %s: filename %q must be a relative path to a .deb inside the mirror (e.g. pool/main/…)", source, n, p.Name, p.Filename)
		case seen[p.Name]:
			return nil, fmt.Errorf("%s:%d: %s listed twice", source, n, p.Name)
		}
		p.Size = size
		seen[p.Name] = true
		pkgs = append(pkgs, p)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("%s: no packages", source)
	}
	return pkgs, nil
}

// validFilename accepts a clean relative path to a .deb: joined to a
// mirror's URL it must stay inside that mirror.
func validFilename(f string) bool {
	return strings.HasSuffix(f, ".deb") && !strings.HasPrefix(f, "/") &&
		path.Clean(f) == f && f != ".." && !strings.HasPrefix(f, "../") &&
		!strings.ContainsAny(f, "?#\\")
}

// FormatLock writes a lock file: the header lines as comments, the column
// names, then one aligned line per package, sorted as given.
func FormatLock(header []string, pkgs []Package) []byte {
	var b bytes.Buffer
	for _, h := range header {
		fmt.Fprintf(&b, "# %s\n", h)
	}
	wName, wVersion, wSize := len("name"), len("version"), len("size")
	for _, p := range pkgs {
		wName = max(wName, len(p.Name))
		wVersion = max(wVersion, len(p.Version))
		wSize = max(wSize, len(strconv.FormatInt(p.Size, 10)))
	}
	fmt.Fprintf(&b, "# %-*s %-*s %*s %-64s %s\n", wName-2, "name", wVersion, "version", wSize, "size", "sha256", "filename")
	for _, p := range pkgs {
		fmt.Fprintf(&b, "%-*s %-*s %*d %s %s\n", wName, p.Name, wVersion, p.Version, wSize, p.Size, p.SHA256, p.Filename)
	}
	return b.Bytes()
}

// LockVersions reads name and version from each line of a lock of any
// format so far (the first two columns), for reporting what a refresh
// changed even when the old file predates the current format.
func LockVersions(data []byte) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		if f := strings.Fields(line); len(f) >= 2 {
			out[f[0]] = f[1]
		}
	}
	return out
}
