package debs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Apt resolves packages against the host's apt index, the only place a
// lock is made from: what it pins is what that index lists today.
type Apt struct {
	// Options are extra "-o key=value" settings for every apt call (tests
	// point apt at a repository of their own).
	Options []string
}

func (a Apt) run(ctx context.Context, tool string, args ...string) ([]byte, error) {
	var full []string
	for _, o := range a.Options {
		full = append(full, "-o", o)
	}
	full = append(full, args...)
	cmd := exec.CommandContext(ctx, tool, full...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v: %s", tool, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// inst matches apt-get -s lines: "Inst name (version suite [arch])".
var inst = regexp.MustCompile(`^Inst (\S+) \((\S+) `)

// Closure resolves names and everything they depend on (no recommends) as
// if nothing were installed, and returns each package's record, sorted by
// name.
func (a Apt) Closure(ctx context.Context, names []string) ([]Package, error) {
	empty, err := os.CreateTemp("", "dpkg-status-")
	if err != nil {
		return nil, err
	}
	empty.Close()
	defer os.Remove(empty.Name())
	args := append([]string{"-s", "-q", "--no-install-recommends", "-o", "Dir::State::status=" + empty.Name(), "-o", "APT::Architectures=amd64", "install"}, names...)
	out, err := a.run(ctx, "apt-get", args...)
	if err != nil {
		return nil, fmt.Errorf("resolve %d packages: %w", len(names), err)
	}
	versions := map[string]string{}
	var resolved []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := inst.FindStringSubmatch(sc.Text()); m != nil {
			versions[m[1]] = m[2]
			resolved = append(resolved, m[1])
		}
	}
	if len(resolved) == 0 {
		return nil, fmt.Errorf("resolve %s: apt would install nothing", strings.Join(names, " "))
	}
	recs, err := a.records(ctx, resolved...)
	if err != nil {
		return nil, err
	}
	var pkgs []Package
	for _, n := range resolved {
		p, err := pick(recs, n, versions[n])
		if err != nil {
			return nil, err
		}
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	return pkgs, nil
}

// Candidate returns the record of the version apt would install of name.
func (a Apt) Candidate(ctx context.Context, name string) (Package, error) {
	recs, err := a.records(ctx, name)
	if err != nil {
		return Package{}, err
	}
	v, err := a.candidateVersion(ctx, name)
	if err != nil {
		return Package{}, err
	}
	return pick(recs, name, v)
}

func (a Apt) candidateVersion(ctx context.Context, name string) (string, error) {
	out, err := a.run(ctx, "apt-cache", "policy", name)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "Candidate: "); ok && v != "(none)" {
			return v, nil
		}
	}
	return "", fmt.Errorf("apt-cache policy %s: no candidate version (is the package in the apt index? run apt-get update)", name)
}

// Record returns the index's record of name at version: its pool path,
// size and sha256.
func (a Apt) Record(ctx context.Context, name, version string) (Package, error) {
	recs, err := a.records(ctx, name)
	if err != nil {
		return Package{}, err
	}
	return pick(recs, name, version)
}

// pick finds name at version among records. When several archives carry
// the version (a security update later folded into a point release), the
// main archive's record wins over the security archive's (pool/updates/):
// the main pool is what most mirrors and snapshot archives carry, and it
// keeps the file longest. The files are the same.
func pick(recs []record, name, version string) (Package, error) {
	var found *Package
	for i := range recs {
		r := &recs[i]
		if r.pkg.Name != name || r.pkg.Version != version {
			continue
		}
		if found == nil || (strings.HasPrefix(found.Filename, "pool/updates/") && !strings.HasPrefix(r.pkg.Filename, "pool/updates/")) {
			found = &r.pkg
		}
	}
	if found == nil {
		return Package{}, fmt.Errorf("apt index has no %s=%s", name, version)
	}
	return *found, nil
}

// record is one stanza of apt-cache show, with the fields a lock needs and
// the Depends a resolver may follow.
type record struct {
	pkg     Package
	depends string
}

// records reads every record apt has of the named packages (each
// version, and a version again for each archive that has it, in apt's
// order), in one call.
func (a Apt) records(ctx context.Context, names ...string) ([]record, error) {
	out, err := a.run(ctx, "apt-cache", append([]string{"show"}, names...)...)
	if err != nil {
		return nil, fmt.Errorf("read %s from the apt index: %w", describeNames(names), err)
	}
	recs, err := parseRecords(out)
	if err != nil {
		return nil, fmt.Errorf("apt-cache show %s: %w", describeNames(names), err)
	}
	return recs, nil
}

func describeNames(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return fmt.Sprintf("%d packages", len(names))
}

// parseRecords reads Packages-format stanzas.
func parseRecords(out []byte) ([]record, error) {
	var recs []record
	for _, stanza := range strings.Split(string(out), "\n\n") {
		if strings.TrimSpace(stanza) == "" {
			continue
		}
		var r record
		var size string
		for _, line := range strings.Split(stanza, "\n") {
			k, v, ok := strings.Cut(line, ": ")
			if !ok {
				continue
			}
			switch k {
			case "Package":
				r.pkg.Name = v
			case "Version":
				r.pkg.Version = v
			case "Size":
				size = v
			case "SHA256":
				r.pkg.SHA256 = v
			case "Filename":
				r.pkg.Filename = v
			case "Depends":
				r.depends = v
			}
		}
		if r.pkg.Filename == "" {
			continue // only in dpkg's status: installed, no longer in an index
		}
		n, err := strconv.ParseInt(size, 10, 64)
		if err != nil || n <= 0 || !nameRE.MatchString(r.pkg.Name) || r.pkg.Version == "" || !hashRE.MatchString(r.pkg.SHA256) || !validFilename(r.pkg.Filename) {
			return nil, fmt.Errorf("record of %q lacks a valid Version, Size, SHA256 or Filename", r.pkg.Name)
		}
		r.pkg.Size = n
		recs = append(recs, r)
	}
	return recs, nil
}

// Dependency returns the record of the package that name's candidate
// depends on whose name starts with prefix, at the version it requires:
// how a meta package such as linux-image-cloud-amd64 names today's kernel.
func (a Apt) Dependency(ctx context.Context, name, prefix string) (Package, error) {
	recs, err := a.records(ctx, name)
	if err != nil {
		return Package{}, err
	}
	version, err := a.candidateVersion(ctx, name)
	if err != nil {
		return Package{}, err
	}
	for _, r := range recs {
		if r.pkg.Name != name || r.pkg.Version != version {
			continue
		}
		for _, dep := range strings.Split(r.depends, ",") {
			depName, rest, _ := strings.Cut(strings.TrimSpace(dep), " ")
			if !strings.HasPrefix(depName, prefix) {
				continue
			}
			if v, ok := strings.CutPrefix(strings.TrimSpace(rest), "(= "); ok {
				return a.Record(ctx, depName, strings.TrimSuffix(v, ")"))
			}
			return a.Candidate(ctx, depName)
		}
	}
	return Package{}, fmt.Errorf("%s %s depends on no %s* package", name, version, prefix)
}

// Essentials lists the packages marked Essential or of Priority required:
// what a bootstrap installs before anything else.
func (a Apt) Essentials(ctx context.Context) ([]string, error) {
	out, err := a.run(ctx, "apt-cache", "dumpavail")
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var names []string
	for _, rec := range strings.Split(string(out), "\n\n") {
		var name string
		want := false
		for _, line := range strings.Split(rec, "\n") {
			switch {
			case strings.HasPrefix(line, "Package: "):
				name = strings.TrimPrefix(line, "Package: ")
			case line == "Essential: yes", line == "Priority: required":
				want = true
			}
		}
		if want && name != "" && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// Change is one package whose pin a refresh moved; Old or New is empty
// when the package was added or dropped.
type Change struct {
	Name, Old, New string
}

// Diff lists what moved between two locks' name → version maps, by name.
func Diff(old, new map[string]string) []Change {
	var out []Change
	for n, v := range new {
		if old[n] != v {
			out = append(out, Change{Name: n, Old: old[n], New: v})
		}
	}
	for n, v := range old {
		if _, ok := new[n]; !ok {
			out = append(out, Change{Name: n, Old: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
