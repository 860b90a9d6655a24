// Command bzlmodcheck keeps the two Bazel entry paths in step: the Go
// repositories that BUILD files use must be in deps.bzl (WORKSPACE, Bazel
// 4.2, written by gazelle) and in MODULE.bazel's use_repo(go_deps, ...)
// (Bazel 7/8), and use_repo must name nothing else; the AWS SDK's
// service modules carry the gazelle directives they need on both paths
// (go_repository's build_directives, go_deps.gazelle_override); and a
// module patched in deps.bzl is patched alike in MODULE.bazel
// (go_deps.module_override). Bazel 7/8
// cannot run here, so this is what catches a MODULE.bazel left behind.
// With -write it rewrites deps.bzl and MODULE.bazel instead of failing.
package main

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

func main() {
	root := flag.String("root", ".", "workspace root")
	write := flag.Bool("write", false, "rewrite MODULE.bazel's use_repo(go_deps, ...) instead of checking it")
	flag.Parse()
	problems, err := check(*root, *write)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bzlmodcheck:", err)
		os.Exit(2)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "bzlmodcheck:", p)
	}
	if len(problems) > 0 {
		fmt.Fprintln(os.Stderr, "bzlmodcheck: run ci/gazelle.sh to regenerate deps.bzl and MODULE.bazel's use_repo (patches and their module_override are kept by hand)")
		os.Exit(1)
	}
}

// check compares the three and returns what disagrees, one line each.
func check(root string, write bool) ([]string, error) {
	depsPath := filepath.Join(root, "deps.bzl")
	deps, err := depsRepos(depsPath)
	if err != nil {
		return nil, err
	}
	depsFile, err := parse(depsPath)
	if err != nil {
		return nil, err
	}
	sdkPaths, problems := depsDirectives(depsFile, write)
	if write {
		if err := os.WriteFile(depsPath, build.Format(depsFile), 0o644); err != nil {
			return nil, err
		}
	}
	used, err := usedRepos(root)
	if err != nil {
		return nil, err
	}
	var want []string // the Go repositories BUILD files use
	for name := range used {
		if deps[name] {
			want = append(want, name)
		}
	}
	slices.Sort(want)
	modPath := filepath.Join(root, "MODULE.bazel")
	mod, call, err := useRepo(modPath)
	if err != nil {
		return nil, err
	}
	problems = append(problems, moduleOverrides(mod, sdkPaths, write)...)
	problems = append(problems, modulePatches(depsFile, mod)...)
	if write {
		setUseRepo(call, want)
		return nil, os.WriteFile(modPath, build.Format(mod), 0o644)
	}
	have := map[string]bool{}
	for _, name := range repoArgs(call) {
		have[name] = true
		switch {
		case !deps[name]:
			problems = append(problems, fmt.Sprintf("MODULE.bazel: use_repo(go_deps) names %q, which deps.bzl has no go_repository for", name))
		case used[name] == "":
			problems = append(problems, fmt.Sprintf("MODULE.bazel: use_repo(go_deps) names %q, which no BUILD file uses", name))
		}
	}
	for _, name := range want {
		if !have[name] {
			problems = append(problems, fmt.Sprintf("MODULE.bazel: use_repo(go_deps) lacks %q, which %s uses", name, used[name]))
		}
	}
	return problems, nil
}

// depsRepos is the set of go_repository names in deps.bzl.
func depsRepos(path string) (map[string]bool, error) {
	f, err := parse(path)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, r := range goRepositories(f) {
		if n := r.AttrString("name"); n != "" {
			names[n] = true
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: no go_repository rules", path)
	}
	return names, nil
}

var repoRef = regexp.MustCompile(`"@([A-Za-z0-9_.-]+)//`)

// usedRepos maps each external repository a BUILD file refers to, to the
// first file that does.
func usedRepos(root string) (map[string]string, error) {
	used := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "bazel-") || d.Name() == "_kola_temp" || isRepository(p)) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Name() != "BUILD.bazel" && d.Name() != "BUILD" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range repoRef.FindAllStringSubmatch(string(b), -1) {
			if _, ok := used[m[1]]; !ok {
				used[m[1]] = rel
			}
		}
		return nil
	})
	return used, err
}

// isRepository reports whether dir is a repository of its own (a
// local_repository such as third_party/bazel/rules_cc), whose BUILD files
// name that repository's dependencies, not ours.
func isRepository(dir string) bool {
	for _, name := range []string{"WORKSPACE", "WORKSPACE.bazel", "MODULE.bazel"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// useRepo finds use_repo(go_deps, ...) in MODULE.bazel.
func useRepo(path string) (*build.File, *build.CallExpr, error) {
	f, err := parse(path)
	if err != nil {
		return nil, nil, err
	}
	for _, stmt := range f.Stmt {
		c, ok := stmt.(*build.CallExpr)
		if !ok {
			continue
		}
		if id, ok := c.X.(*build.Ident); !ok || id.Name != "use_repo" || len(c.List) == 0 {
			continue
		}
		if ext, ok := c.List[0].(*build.Ident); ok && ext.Name == "go_deps" {
			return f, c, nil
		}
	}
	return nil, nil, fmt.Errorf("%s: no use_repo(go_deps, ...)", path)
}

func repoArgs(c *build.CallExpr) []string {
	var names []string
	for _, a := range c.List[1:] {
		if s, ok := a.(*build.StringExpr); ok {
			names = append(names, s.Value)
		}
	}
	return names
}

func setUseRepo(c *build.CallExpr, names []string) {
	list := []build.Expr{c.List[0]}
	for _, n := range names {
		list = append(list, &build.StringExpr{Value: n})
	}
	c.List = list
	c.ForceMultiLine = true
}

func parse(path string) (*build.File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := build.Parse(path, b)
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	return f, nil
}
