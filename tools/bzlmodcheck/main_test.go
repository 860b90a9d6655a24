package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testDeps = `load("@bazel_gazelle//:deps.bzl", "go_repository")

def go_dependencies():
    go_repository(name = "com_a", importpath = "a.com/a", version = "v1.0.0")
    go_repository(name = "com_b", importpath = "b.com/b", version = "v1.0.0")
    go_repository(name = "com_unused", importpath = "u.com/u", version = "v1.0.0")
`

func workspace(t *testing.T, useRepo string) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"deps.bzl":              testDeps,
		"MODULE.bazel":          "module(name = \"x\")\n\ngo_deps = use_extension(\"@bazel_gazelle//:extensions.bzl\", \"go_deps\")\nuse_repo(go_deps" + useRepo + ")\n",
		"pkg/BUILD.bazel":       `go_library(name = "pkg", deps = ["@com_a//:a", "@io_bazel_rules_go//go:def.bzl"])`,
		"other/sub/BUILD.bazel": `go_test(name = "t", deps = ["@com_b//x", "@debian_minimal//:debs"])`,
		// Not part of the workspace's BUILD files: a repository of its
		// own, Bazel's output, a hidden directory.
		".cache/BUILD.bazel":                `x(deps = ["@com_unused//:u"])`,
		"third_party/rules_x/WORKSPACE":     ``,
		"third_party/rules_x/BUILD.bazel":   `x(deps = ["@com_unused//:u"])`,
		"third_party/rules_x/x/BUILD.bazel": `x(deps = ["@com_unused//:u"])`,
		"bazel-out/pkg/BUILD.bazel":         `x(deps = ["@com_unused//:u"])`,
		// Ours, under third_party.
		"third_party/tool/BUILD.bazel": `go_binary(name = "tool", embed = ["@com_t//cmd:lib"])`,
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		useRepo string
		want    []string
	}{
		{"in step", `, "com_a", "com_b"`, nil},
		{"missing and stray", `, "com_a", "com_gone"`, []string{
			`MODULE.bazel: use_repo(go_deps) names "com_gone", which deps.bzl has no go_repository for`,
			`MODULE.bazel: use_repo(go_deps) lacks "com_b", which other/sub/BUILD.bazel uses`,
		}},
		{"unused", `, "com_a", "com_b", "com_unused"`, []string{
			`MODULE.bazel: use_repo(go_deps) names "com_unused", which no BUILD file uses`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := check(workspace(t, tc.useRepo), false)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("check = %q, %v\nwant %q", got, err, tc.want)
			}
		})
	}
}

// -write puts exactly the used Go repositories into use_repo, after which
// the check passes.
func TestWrite(t *testing.T) {
	root := workspace(t, `, "com_gone"`)
	if _, err := check(root, true); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(root, "MODULE.bazel"))
	if !strings.Contains(string(b), "use_repo(\n    go_deps,\n    \"com_a\",\n    \"com_b\",\n)") {
		t.Errorf("MODULE.bazel after -write:\n%s", b)
	}
	if got, err := check(root, false); err != nil || len(got) != 0 {
		t.Errorf("after -write: %q, %v", got, err)
	}
}

func TestCheckErrors(t *testing.T) {
	root := workspace(t, "")
	if err := os.WriteFile(filepath.Join(root, "MODULE.bazel"), []byte("module(name = \"x\")\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := check(root, false); err == nil || !strings.Contains(err.Error(), "no use_repo(go_deps, ...)") {
		t.Errorf("no use_repo: %v", err)
	}
	if err := os.WriteFile(filepath.Join(root, "deps.bzl"), []byte("def go_dependencies(:\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := check(root, false); err == nil || !strings.Contains(err.Error(), "parse ") {
		t.Errorf("malformed deps.bzl: %v", err)
	}
}

// An AWS SDK service module needs the resolve directives on both paths;
// -write adds them, and drops overrides for modules no longer used.
func TestSDKDirectives(t *testing.T) {
	root := workspace(t, `, "com_a", "com_b"`)
	deps := testDeps + `    go_repository(name = "com_github_aws_aws_sdk_go_v2_service_ec2", importpath = "github.com/aws/aws-sdk-go-v2/service/ec2", version = "v1.0.0")
`
	if err := os.WriteFile(filepath.Join(root, "deps.bzl"), []byte(deps), 0o644); err != nil {
		t.Fatal(err)
	}
	mod, _ := os.ReadFile(filepath.Join(root, "MODULE.bazel"))
	mod = append(mod, []byte("\ngo_deps.gazelle_override(path = \"github.com/aws/aws-sdk-go-v2/service/gone\", directives = [])\n")...)
	if err := os.WriteFile(filepath.Join(root, "MODULE.bazel"), mod, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := check(root, false)
	want := []string{
		`deps.bzl: go_repository "com_github_aws_aws_sdk_go_v2_service_ec2" lacks the AWS SDK's resolve directives`,
		`MODULE.bazel: gazelle_override for github.com/aws/aws-sdk-go-v2/service/gone, which deps.bzl does not have`,
		`MODULE.bazel: no go_deps.gazelle_override with the AWS SDK's resolve directives for github.com/aws/aws-sdk-go-v2/service/ec2`,
	}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("check = %q, %v\nwant %q", got, err, want)
	}
	if _, err := check(root, true); err != nil {
		t.Fatal(err)
	}
	if got, err := check(root, false); err != nil || len(got) != 0 {
		t.Errorf("after -write: %q, %v", got, err)
	}
	b, _ := os.ReadFile(filepath.Join(root, "MODULE.bazel"))
	if strings.Contains(string(b), "service/gone") || !strings.Contains(string(b), `path = "github.com/aws/aws-sdk-go-v2/service/ec2"`) {
		t.Errorf("MODULE.bazel after -write:\n%s", b)
	}
}

// A module patched in deps.bzl must be patched alike by a
// go_deps.module_override, and no override may patch another.
func TestModulePatches(t *testing.T) {
	const patchedDeps = testDeps + `    go_repository(name = "com_p", importpath = "p.com/p", version = "v1.0.0", patch_args = ["-p1"], patches = ["//third_party/p:fix.patch"])
`
	const override = `
go_deps.module_override(path = "p.com/p", patch_strip = 1, patches = ["//third_party/p:fix.patch"])
`
	for _, tc := range []struct {
		name, deps, module string
		want               []string
	}{
		{"in step", patchedDeps, override, nil},
		{"no override", patchedDeps, "", []string{
			`MODULE.bazel: no go_deps.module_override for p.com/p, which deps.bzl patches with ["//third_party/p:fix.patch"]`,
		}},
		{"other strip", patchedDeps, strings.Replace(override, "patch_strip = 1", "patch_strip = 0", 1), []string{
			`MODULE.bazel: module_override for p.com/p applies ["//third_party/p:fix.patch"] with patch_strip 0; deps.bzl applies ["//third_party/p:fix.patch"] with -p1`,
		}},
		{"stray override", testDeps, override, []string{
			`MODULE.bazel: module_override patches p.com/p, which deps.bzl does not patch`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := workspace(t, `, "com_a", "com_b"`)
			if err := os.WriteFile(filepath.Join(root, "deps.bzl"), []byte(tc.deps), 0o644); err != nil {
				t.Fatal(err)
			}
			mod, _ := os.ReadFile(filepath.Join(root, "MODULE.bazel"))
			if err := os.WriteFile(filepath.Join(root, "MODULE.bazel"), append(mod, tc.module...), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := check(root, false)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("check = %q, %v\nwant %q", got, err, tc.want)
			}
		})
	}
}

// The BUILD files of nested repositories, Bazel's output and hidden
// directories are not ours; third_party's own packages are.
func TestUsedRepos(t *testing.T) {
	used, err := usedRepos(workspace(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"com_a":             "pkg/BUILD.bazel",
		"io_bazel_rules_go": "pkg/BUILD.bazel",
		"com_b":             "other/sub/BUILD.bazel",
		"debian_minimal":    "other/sub/BUILD.bazel",
		"com_t":             "third_party/tool/BUILD.bazel",
	}
	if !maps.Equal(used, want) {
		t.Errorf("usedRepos = %v\nwant %v", used, want)
	}
}
