package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

// modulePatches checks that each go_repository in deps.bzl with patches
// has a go_deps.module_override in MODULE.bazel applying the same patch
// files with the same strip, and that no module_override patches a
// module deps.bzl does not. (Written by hand on both sides: a patch is a
// person's decision, not something to generate.)
func modulePatches(deps, mod *build.File) (problems []string) {
	type patched struct {
		patches []string
		strip   string
	}
	want := map[string]patched{}
	for _, r := range goRepositories(deps) {
		patches := listValues(r.Attr("patches"))
		if len(patches) == 0 {
			continue
		}
		strip := "0"
		for _, a := range listValues(r.Attr("patch_args")) {
			if n, ok := strings.CutPrefix(a, "-p"); ok {
				strip = n
			}
		}
		want[r.AttrString("importpath")] = patched{patches, strip}
	}
	have := map[string]bool{}
	for _, stmt := range mod.Stmt {
		c, ok := stmt.(*build.CallExpr)
		if !ok {
			continue
		}
		if d, ok := c.X.(*build.DotExpr); !ok || d.Name != "module_override" {
			continue
		}
		r := &build.Rule{Call: c}
		path := r.AttrString("path")
		w, ok := want[path]
		if !ok {
			problems = append(problems, fmt.Sprintf("MODULE.bazel: module_override patches %s, which deps.bzl does not patch", path))
			continue
		}
		have[path] = true
		strip := "0"
		if v, ok := r.Attr("patch_strip").(*build.LiteralExpr); ok {
			strip = v.Token
		}
		if got := listValues(r.Attr("patches")); !slices.Equal(got, w.patches) || strip != w.strip {
			problems = append(problems, fmt.Sprintf("MODULE.bazel: module_override for %s applies %q with patch_strip %s; deps.bzl applies %q with -p%s", path, got, strip, w.patches, w.strip))
		}
	}
	var missing []string
	for path := range want {
		if !have[path] {
			missing = append(missing, path)
		}
	}
	slices.Sort(missing)
	for _, path := range missing {
		problems = append(problems, fmt.Sprintf("MODULE.bazel: no go_deps.module_override for %s, which deps.bzl patches with %q", path, want[path].patches))
	}
	return problems
}
