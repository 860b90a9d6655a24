// Package debs fetches pinned Debian packages and reads their contents
// without root: a lock file names each package with its version and
// sha256, apt-get download fetches it, the hash is checked, and the verified
// .deb is kept in a cache by hash so that later builds need no network.
package debs

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Package is one line of a lock file.
type Package struct {
	Name    string
	Version string
	SHA256  string
}

func (p Package) String() string { return p.Name + "=" + p.Version }

var (
	nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)
	hashRE = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// ParseLock reads "name version sha256" lines; # starts a comment. source
// names the file in errors.
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
		if len(f) != 3 {
			return nil, fmt.Errorf("%s:%d: want \"name version sha256\", got %d fields", source, n, len(f))
		}
		p := Package{Name: f[0], Version: f[1], SHA256: f[2]}
		switch {
		case !nameRE.MatchString(p.Name):
			return nil, fmt.Errorf("%s:%d: bad package name %q", source, n, p.Name)
		case !hashRE.MatchString(p.SHA256):
			return nil, fmt.Errorf("%s:%d: %s: sha256 must be 64 lowercase hex digits", source, n, p.Name)
		case seen[p.Name]:
			return nil, fmt.Errorf("%s:%d: %s listed twice", source, n, p.Name)
		}
		seen[p.Name] = true
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("%s: no packages", source)
	}
	return pkgs, nil
}
