// Command debianlock writes images/debian.lock: it resolves the debian
// image's packages (images.DebianPackages plus Debian's essential and
// required set) with the host's apt as if nothing were installed, and pins
// each package by version and the sha256 the apt index gives for it. The
// build fetches from the same index, so the two agree.
//
//	go run ./cmd/debianlock > debian.lock
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"

	"github.com/strata-os/strata/images"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "debianlock:", err)
		os.Exit(1)
	}
}

// inst matches apt-get -s lines: "Inst name (version suite [arch])".
var inst = regexp.MustCompile(`^Inst (\S+) \((\S+) `)

func run() error {
	base, err := essentials()
	if err != nil {
		return err
	}
	empty, err := os.CreateTemp("", "dpkg-status-")
	if err != nil {
		return err
	}
	empty.Close()
	defer os.Remove(empty.Name())
	args := append([]string{"-s", "-q", "--no-install-recommends", "-o", "Dir::State::status=" + empty.Name(), "-o", "APT::Architectures=amd64", "install"}, base...)
	args = append(args, images.DebianPackages...)
	out, err := exec.Command("apt-get", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("apt-get -s install: %v\n%s", err, out)
	}
	type pkg struct{ name, version string }
	var pkgs []pkg
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if m := inst.FindStringSubmatch(sc.Text()); m != nil {
			pkgs = append(pkgs, pkg{m[1], m[2]})
		}
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].name < pkgs[j].name })
	fmt.Println("# Debian packages of the debian image, pinned by version and sha256.")
	fmt.Println("# Regenerate with: go run ./cmd/debianlock > debian.lock")
	for _, p := range pkgs {
		sum, err := aptSHA256(p.name, p.version)
		if err != nil {
			return err
		}
		fmt.Printf("%-40s %-32s %s\n", p.name, p.version, sum)
	}
	return nil
}

// essentials lists the amd64/all packages marked Essential or of Priority
// required: what debootstrap-like tools install before anything else.
func essentials() ([]string, error) {
	out, err := exec.Command("apt-cache", "dumpavail").Output()
	if err != nil {
		return nil, fmt.Errorf("apt-cache dumpavail: %w", err)
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

// aptSHA256 reads the SHA256 field of name=version from the apt index.
func aptSHA256(name, version string) (string, error) {
	out, err := exec.Command("apt-cache", "show", name+"="+version).Output()
	if err != nil {
		return "", fmt.Errorf("apt-cache show %s=%s: %w", name, version, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if s, ok := strings.CutPrefix(line, "SHA256: "); ok {
			return strings.TrimSpace(s), nil
		}
	}
	return "", fmt.Errorf("apt-cache show %s=%s: no SHA256", name, version)
}
