package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bazelbuild/buildtools/build"
	"github.com/strata-os/strata/tools/internal/bzl"
)

// sdkResolves are gazelle directives every AWS SDK service module needs:
// its imports of internal/endpoints and internal/endpoints/awsrulesfn are
// packages of the SDK's root module, but gazelle's import resolution
// takes them for packages of the internal/endpoints/v2 module.
var sdkResolves = []string{
	"gazelle:resolve go github.com/aws/aws-sdk-go-v2/internal/endpoints @com_github_aws_aws_sdk_go_v2//internal/endpoints",
	"gazelle:resolve go github.com/aws/aws-sdk-go-v2/internal/endpoints/awsrulesfn @com_github_aws_aws_sdk_go_v2//internal/endpoints/awsrulesfn",
}

func needsSDKResolves(importpath string) bool {
	return strings.HasPrefix(importpath, "github.com/aws/aws-sdk-go-v2/service/")
}

func stringList(values []string) *build.ListExpr {
	l := &build.ListExpr{ForceMultiLine: len(values) > 1}
	for _, v := range values {
		l.List = append(l.List, &build.StringExpr{Value: v})
	}
	return l
}

func listValues(x build.Expr) []string {
	l, ok := x.(*build.ListExpr)
	if !ok {
		return nil
	}
	var out []string
	for _, e := range l.List {
		if s, ok := e.(*build.StringExpr); ok {
			out = append(out, s.Value)
		}
	}
	return out
}

// goRepositories returns deps.bzl's go_repository rules, in order.
func goRepositories(f *build.File) []*build.Rule {
	var rules []*build.Rule
	build.Walk(f, func(x build.Expr, _ []build.Expr) {
		if c, ok := x.(*build.CallExpr); ok {
			if id, ok := c.X.(*build.Ident); ok && id.Name == "go_repository" {
				rules = append(rules, &build.Rule{Call: c})
			}
		}
	})
	return rules
}

// depsDirectives checks (or, writing, sets) build_directives on the
// go_repository rules that need them; it returns the import paths that do.
func depsDirectives(f *build.File, write bool) (paths []string, problems []string) {
	for _, r := range goRepositories(f) {
		ip := r.AttrString("importpath")
		if !needsSDKResolves(ip) {
			continue
		}
		paths = append(paths, ip)
		if slices.Equal(listValues(r.Attr("build_directives")), sdkResolves) {
			continue
		}
		if write {
			r.SetAttr("build_directives", stringList(sdkResolves))
			bzl.SortArgs(r.Call)
			continue
		}
		problems = append(problems, fmt.Sprintf("deps.bzl: go_repository %q lacks the AWS SDK's resolve directives", r.AttrString("name")))
	}
	return paths, problems
}

// moduleOverrides checks (or, writing, makes) MODULE.bazel's
// go_deps.gazelle_override for each path, and no others of that kind.
func moduleOverrides(f *build.File, paths []string, write bool) (problems []string) {
	have := map[string]*build.CallExpr{}
	var stmts []build.Expr
	added := 0
	for _, stmt := range f.Stmt {
		c, ok := stmt.(*build.CallExpr)
		if ok {
			if d, ok := c.X.(*build.DotExpr); ok && d.Name == "gazelle_override" {
				r := &build.Rule{Call: c}
				p := r.AttrString("path")
				if needsSDKResolves(p) {
					if !slices.Contains(paths, p) {
						if !write {
							problems = append(problems, fmt.Sprintf("MODULE.bazel: gazelle_override for %s, which deps.bzl does not have", p))
						}
						continue // dropped when writing
					}
					have[p] = c
				}
			}
		}
		stmts = append(stmts, stmt)
	}
	for _, p := range paths {
		c, ok := have[p]
		if ok && slices.Equal(listValues((&build.Rule{Call: c}).Attr("directives")), sdkResolves) {
			continue
		}
		if !write {
			problems = append(problems, fmt.Sprintf("MODULE.bazel: no go_deps.gazelle_override with the AWS SDK's resolve directives for %s", p))
			continue
		}
		if ok {
			(&build.Rule{Call: c}).SetAttr("directives", stringList(sdkResolves))
			continue
		}
		call := &build.CallExpr{X: &build.DotExpr{X: &build.Ident{Name: "go_deps"}, Name: "gazelle_override"}, ForceMultiLine: true}
		r := &build.Rule{Call: call}
		r.SetAttr("directives", stringList(sdkResolves))
		r.SetAttr("path", &build.StringExpr{Value: p})
		stmts = insertAfterUseRepo(stmts, call, added)
		added++
	}
	if write {
		f.Stmt = stmts
	}
	return problems
}

// insertAfterUseRepo puts the n-th new override after use_repo(go_deps,
// ...) and the n before it, keeping them in the order of deps.bzl.
func insertAfterUseRepo(stmts []build.Expr, call build.Expr, n int) []build.Expr {
	for i, s := range stmts {
		if c, ok := s.(*build.CallExpr); ok {
			if id, ok := c.X.(*build.Ident); ok && id.Name == "use_repo" {
				return slices.Insert(stmts, i+1+n, call)
			}
		}
	}
	return append(stmts, call)
}
