// Package bzl holds the Starlark editing the repository's generators share.
package bzl

import (
	"slices"
	"strings"

	"github.com/bazelbuild/buildtools/build"
)

// SortArgs orders a rule's keyword arguments as gazelle writes them: name
// first, the rest by name; comments move with their argument.
func SortArgs(c *build.CallExpr) {
	key := func(e build.Expr) string {
		if a, ok := e.(*build.AssignExpr); ok {
			if id, ok := a.LHS.(*build.Ident); ok {
				if id.Name == "name" {
					return ""
				}
				return id.Name
			}
		}
		return "~"
	}
	slices.SortStableFunc(c.List, func(a, b build.Expr) int { return strings.Compare(key(a), key(b)) })
}
