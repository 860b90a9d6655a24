package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bazelbuild/buildtools/build"
)

// repoName follows gazelle's naming, which BUILD files gazelle writes
// refer to: the table's cases are names gazelle itself wrote in deps.bzl
// before this tool took over, and every rule in deps.bzl (some edited by
// hand) must still agree. The Bazel build is the end-to-end check: a
// name gazelle would not use leaves its imports unresolved.
func TestRepoNameMatchesGazelle(t *testing.T) {
	b, err := os.ReadFile("../../deps.bzl")
	if err != nil {
		t.Fatal(err)
	}
	f, err := build.Parse("deps.bzl", b)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, st := range f.Stmt {
		def, ok := st.(*build.DefStmt)
		if !ok {
			continue
		}
		for _, x := range def.Body {
			c, ok := x.(*build.CallExpr)
			if !ok {
				continue
			}
			r := &build.Rule{Call: c}
			n++
			if got := repoName(r.AttrString("importpath")); got != r.Name() {
				t.Errorf("repoName(%q) = %q, deps.bzl says %q", r.AttrString("importpath"), got, r.Name())
			}
		}
	}
	if n < 50 {
		t.Errorf("only %d rules read", n)
	}
	for in, want := range map[string]string{
		"github.com/aws/aws-sdk-go-v2": "com_github_aws_aws_sdk_go_v2",
		"google.golang.org/api":        "org_golang_google_api",
		"cloud.google.com/go/auth":     "com_google_cloud_go_auth",
		"go.opentelemetry.io/otel":     "io_opentelemetry_go_otel",
	} {
		if got := repoName(in); got != want {
			t.Errorf("repoName(%q) = %q, want %q", in, got, want)
		}
	}
}

const before = `load("@bazel_gazelle//:deps.bzl", "go_repository")

def go_dependencies():
    go_repository(
        name = "com_github_gone_away",
        importpath = "github.com/gone/away",
        sum = "h1:gone=",
        version = "v1.0.0",
    )
    go_repository(
        name = "com_github_kept_one",
        # why the directive is here
        build_directives = ["gazelle:exclude gen_*.go"],
        importpath = "github.com/kept/one",
        sum = "h1:old=",
        version = "v1.0.0",
    )
`

// A rule whose module stays keeps its hand-added attributes and comments
// with the new version; a module no longer imported goes; a new one and a
// replaced one come, the sum taken from go.sum or else from download.
func TestUpdate(t *testing.T) {
	dir := t.TempDir()
	deps := filepath.Join(dir, "deps.bzl")
	os.WriteFile(deps, []byte(before), 0o644)
	sum := filepath.Join(dir, "go.sum")
	os.WriteFile(sum, []byte("github.com/kept/one v1.2.0 h1:new=\ngithub.com/kept/one v1.2.0/go.mod h1:mod=\ngoogle.golang.org/genproto v0.0.0-2 h1:replaced=\n"), 0o644)
	list := "github.com/kept/one v1.2.0\ngoogle.golang.org/genproto v0.0.0-1 google.golang.org/genproto v0.0.0-2\nexample.com/fresh v0.1.0\n"
	var asked []string
	download := func(p, v string) (string, error) {
		asked = append(asked, p+"@"+v)
		return "h1:downloaded=", nil
	}
	if err := run(strings.NewReader(list), []string{sum}, deps, true, download); err == nil {
		t.Fatal("-check passed on an out-of-date deps.bzl")
	}
	asked = nil
	if err := run(strings.NewReader(list), []string{sum}, deps, false, download); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(deps)
	for _, want := range []string{
		"name = \"com_example_fresh\",\n        build_file_proto_mode = \"disable_global\",\n        importpath = \"example.com/fresh\",\n        sum = \"h1:downloaded=\",\n        version = \"v0.1.0\"",
		"# why the directive is here\n        build_directives = [\"gazelle:exclude gen_*.go\"],\n        build_file_proto_mode = \"disable_global\",\n        importpath = \"github.com/kept/one\",\n        sum = \"h1:new=\",\n        version = \"v1.2.0\"",
		"name = \"org_golang_google_genproto\",\n        build_file_proto_mode = \"disable_global\",\n        importpath = \"google.golang.org/genproto\",\n        sum = \"h1:replaced=\",\n        version = \"v0.0.0-2\"",
	} {
		if !strings.Contains(string(got), want) {
			t.Errorf("deps.bzl lacks\n%s\n---\n%s", want, got)
		}
	}
	if strings.Contains(string(got), "gone") || strings.Join(asked, " ") != "example.com/fresh@v0.1.0" {
		t.Errorf("asked %v; deps.bzl:\n%s", asked, got)
	}
	if err := run(strings.NewReader(list), []string{sum}, deps, true, download); err != nil {
		t.Errorf("-check after writing: %v", err)
	}
	if err := run(strings.NewReader("just-a-path\n"), nil, deps, false, download); err == nil || !strings.Contains(err.Error(), "module list line 1") {
		t.Errorf("malformed list: %v", err)
	}
}
