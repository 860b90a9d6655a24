package debs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
)

// MirrorsEnv names the environment variable that lists mirrors to fetch
// from, in order, separated by commas or spaces; it replaces the default
// list. images/debian_lock.bzl reads it too.
const MirrorsEnv = "STRATA_DEBIAN_MIRRORS"

// Codename is the Debian release the locks pin packages of; the host's apt
// sources for it are the default mirrors.
const Codename = "bookworm"

// FallbackMirrors follow the host's sources in the default list: Debian's
// own archive and its security archive, whose pools hold the files that
// point releases drop from the index for a while longer.
var FallbackMirrors = []string{"http://deb.debian.org/debian", "http://deb.debian.org/debian-security"}

// ParseMirrors splits a list of mirror URLs (commas or white space) and
// checks each is an http(s) or file URL of an archive root. source names
// where the list came from in errors.
func ParseMirrors(source, list string) ([]string, error) {
	var out []string
	for _, m := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		u, err := url.Parse(m)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file") || (u.Scheme != "file" && u.Host == "") || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%s: mirror %q is not an http://, https:// or file:// URL of an archive root (e.g. http://deb.debian.org/debian)", source, m)
		}
		out = append(out, strings.TrimRight(m, "/"))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no mirrors given", source)
	}
	return dedup(out), nil
}

// DefaultMirrors is the list fetching uses when none is given: $MirrorsEnv
// if set; else the host's apt sources for Codename (apt-get indextargets,
// so both source formats and sources.list.d count) followed by
// FallbackMirrors.
func DefaultMirrors(ctx context.Context) ([]string, error) {
	if v, ok := os.LookupEnv(MirrorsEnv); ok {
		return ParseMirrors("$"+MirrorsEnv, v)
	}
	return dedup(append(hostMirrors(ctx), FallbackMirrors...)), nil
}

// IndexTargetsFormat is what hostMirrors asks apt-get indextargets for.
const IndexTargetsFormat = "$(CODENAME) $(TARGET_OF) $(REPO_URI)"

// hostMirrors lists the archive roots of the host's apt sources for
// Codename, in apt's order; none when there is no apt.
func hostMirrors(ctx context.Context) []string {
	out, err := exec.CommandContext(ctx, "apt-get", "indextargets", "--format", IndexTargetsFormat).Output()
	if err != nil {
		return nil
	}
	return parseIndexTargets(out)
}

// parseIndexTargets reads "codename type uri" lines (apt-get indextargets
// with the format hostMirrors asks for).
func parseIndexTargets(out []byte) []string {
	var mirrors []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 || f[0] != Codename || f[1] != "deb" {
			continue
		}
		if u, err := url.Parse(f[2]); err == nil && (u.Scheme == "http" || u.Scheme == "https" || u.Scheme == "file") {
			mirrors = append(mirrors, strings.TrimRight(f[2], "/"))
		}
	}
	return dedup(mirrors)
}

func dedup(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
