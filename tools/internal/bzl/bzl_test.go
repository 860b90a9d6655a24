package bzl

import (
	"strings"
	"testing"

	"github.com/bazelbuild/buildtools/build"
)

func TestSortArgs(t *testing.T) {
	f, err := build.Parse("x.bzl", []byte("r(\n    version = \"v1\",\n    # why\n    build_directives = [],\n    name = \"n\",\n)\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Stmt[0].(*build.CallExpr)
	SortArgs(c)
	got := string(build.Format(f))
	want := "r(\n    name = \"n\",\n    # why\n    build_directives = [],\n    version = \"v1\",\n)\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !strings.Contains(got, "# why\n    build_directives") {
		t.Error("the comment left its argument")
	}
}
