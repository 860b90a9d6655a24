// Command depsbzl writes deps.bzl's go_repository rules — one per module
// that provides a package our code or its tests import, at the version
// the go.work build list selects — and keeps every other attribute a
// person added to a rule (build_directives, patches…). gazelle 0.26's
// update-repos would list the whole module graph instead, and Google's
// API client brings in hundreds of modules, some of which the module
// proxy refuses to serve. With -check it changes nothing and fails when
// deps.bzl is out of date.
//
// Every rule gets build_file_proto_mode = "disable_global": modules ship
// their generated .pb.go files, and with proto rules gazelle would point
// grpc and genproto at rules_go's go_googleapis, which is downloaded from
// GitHub and does not match the modules' versions.
//
// Input: lines "PATH VERSION" (a replaced module: "PATH VERSION
// REPLACEMENT-PATH REPLACEMENT-VERSION") on stdin, and the go.sum files
// to take sums from; a sum no go.sum has is asked of `go mod download`.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strings"

	"github.com/bazelbuild/buildtools/build"
	"github.com/strata-os/strata/tools/internal/bzl"
)

// module is one go_repository to write.
type module struct {
	Path, Version      string
	ReplacePath        string // empty: not replaced by another path
	Sum                string
	fetchPath, fetchAt string // what is downloaded
}

func main() {
	deps := flag.String("deps", "deps.bzl", "deps.bzl to update")
	check := flag.Bool("check", false, "fail if deps.bzl is out of date instead of writing it")
	flag.Parse()
	if err := run(os.Stdin, flag.Args(), *deps, *check, goModDownload); err != nil {
		fmt.Fprintln(os.Stderr, "depsbzl:", err)
		os.Exit(1)
	}
}

func run(list io.Reader, sumFiles []string, depsPath string, check bool, download func(path, version string) (string, error)) error {
	mods, err := readModules(list)
	if err != nil {
		return err
	}
	sums := map[string]string{}
	for _, p := range sumFiles {
		if err := readSums(p, sums); err != nil {
			return err
		}
	}
	for _, m := range mods {
		if m.Sum = sums[m.fetchPath+" "+m.fetchAt]; m.Sum == "" {
			if m.Sum, err = download(m.fetchPath, m.fetchAt); err != nil {
				return fmt.Errorf("sum of %s@%s: %w", m.fetchPath, m.fetchAt, err)
			}
		}
	}
	old, err := os.ReadFile(depsPath)
	if err != nil {
		return err
	}
	f, err := build.Parse(depsPath, old)
	if err != nil {
		return fmt.Errorf("parse %s: %w", depsPath, err)
	}
	if err := update(f, mods); err != nil {
		return fmt.Errorf("%s: %w", depsPath, err)
	}
	out := build.Format(f)
	if check {
		if !bytes.Equal(out, old) {
			return fmt.Errorf("%s is out of date: run ci/gazelle.sh", depsPath)
		}
		return nil
	}
	return os.WriteFile(depsPath, out, 0o644)
}

func readModules(r io.Reader) ([]*module, error) {
	var mods []*module
	seen := map[string]bool{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		fields := strings.Fields(sc.Text())
		var m module
		switch len(fields) {
		case 0:
			continue
		case 2:
			m = module{Path: fields[0], Version: fields[1], fetchPath: fields[0], fetchAt: fields[1]}
		case 4:
			m = module{Path: fields[0], Version: fields[3], fetchPath: fields[2], fetchAt: fields[3]}
			if fields[2] != fields[0] {
				m.ReplacePath = fields[2]
			}
		default:
			return nil, fmt.Errorf("module list line %d: want PATH VERSION [REPLACEMENT-PATH REPLACEMENT-VERSION], got %q", n, sc.Text())
		}
		if !seen[m.Path] {
			seen[m.Path] = true
			mods = append(mods, &m)
		}
	}
	return mods, sc.Err()
}

// readSums takes the zip hashes (not the go.mod ones) of a go.sum.
func readSums(path string, sums map[string]string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && !strings.HasSuffix(f[1], "/go.mod") {
			sums[f[0]+" "+f[1]] = f[2]
		}
	}
	return nil
}

func goModDownload(path, version string) (string, error) {
	out, err := exec.Command("go", "mod", "download", "-json", path+"@"+version).Output()
	if err != nil {
		return "", fmt.Errorf("go mod download: %w", err)
	}
	var d struct{ Sum, Error string }
	if err := json.Unmarshal(out, &d); err != nil || d.Error != "" || d.Sum == "" {
		return "", fmt.Errorf("go mod download: %s %v", d.Error, err)
	}
	return d.Sum, nil
}

// repoName is gazelle's repository name for an import path: the host's
// labels reversed, then the path, with dots, slashes and dashes as
// underscores (github.com/a/b-c → com_github_a_b_c).
func repoName(importpath string) string {
	parts := strings.Split(strings.ToLower(importpath), "/")
	host := strings.Split(parts[0], ".")
	for i, j := 0, len(host)-1; i < j; i, j = i+1, j-1 {
		host[i], host[j] = host[j], host[i]
	}
	name := strings.Join(append(host, parts[1:]...), "_")
	return strings.NewReplacer(".", "_", "-", "_", "~", "_").Replace(name)
}

// update makes go_dependencies' body the modules' rules, sorted by name:
// an existing rule keeps its other attributes and comments.
func update(f *build.File, mods []*module) error {
	var def *build.DefStmt
	for _, st := range f.Stmt {
		if d, ok := st.(*build.DefStmt); ok && d.Name == "go_dependencies" {
			def = d
		}
	}
	if def == nil {
		return fmt.Errorf("no def go_dependencies()")
	}
	existing := map[string]*build.CallExpr{}
	for _, st := range def.Body {
		if c, ok := st.(*build.CallExpr); ok {
			r := &build.Rule{Call: c}
			if r.Kind() == "go_repository" {
				existing[r.Name()] = c
			}
		}
	}
	sort.Slice(mods, func(i, j int) bool { return repoName(mods[i].Path) < repoName(mods[j].Path) })
	var body []build.Expr
	for _, m := range mods {
		name := repoName(m.Path)
		c, ok := existing[name]
		if !ok {
			c = &build.CallExpr{X: &build.Ident{Name: "go_repository"}, ForceMultiLine: true}
		}
		r := &build.Rule{Call: c}
		r.SetAttr("name", &build.StringExpr{Value: name})
		r.SetAttr("importpath", &build.StringExpr{Value: m.Path})
		r.SetAttr("sum", &build.StringExpr{Value: m.Sum})
		r.SetAttr("version", &build.StringExpr{Value: m.Version})
		r.SetAttr("build_file_proto_mode", &build.StringExpr{Value: "disable_global"})
		bzl.SortArgs(c)
		if m.ReplacePath != "" {
			r.SetAttr("replace", &build.StringExpr{Value: m.ReplacePath})
		} else {
			r.DelAttr("replace")
		}
		body = append(body, c)
	}
	def.Body = body
	return nil
}
