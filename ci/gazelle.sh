#!/usr/bin/env bash
# Regenerates the Bazel files from the Go code with the pinned, patched
# gazelle that ci/bazel-setup.sh materialises: deps.bzl (one go_repository
# per external module, at the versions the go.work build list selects)
# and every BUILD.bazel, and MODULE.bazel's use_repo list (Bazel 7/8) from
# them. With --check it changes nothing and fails when any is out of date.
source "$(dirname "$0")/lib.sh"
"$ROOT/ci/bazel-setup.sh"

check=""
[ "${1:-}" = "--check" ] && check=1

gazelle="$TOOLS_BIN/gazelle"
stamp="$(cat "$ROOT/.cache/bazel/stamp")"
if [ "$(cat "$gazelle.stamp" 2>/dev/null)" != "$stamp" ]; then
	log "building gazelle"
	(cd "$ROOT/.cache/bazel/bazel_gazelle" && GOWORK=off GOFLAGS=-mod=vendor go build -o "$gazelle" ./cmd/gazelle)
	echo "$stamp" >"$gazelle.stamp"
fi

# The workspace's build list as one go.mod (and the sums of every module's
# go.sum), so deps.bzl pins exactly what `go build` uses with go.work.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
	echo "module strata.bazel/deps"
	echo "go $(go env GOVERSION | sed 's/^go//')"
	go list -m -f '{{if .Version}}require {{.Path}} {{.Version}}{{end}}' all
} >"$tmp/go.mod"
cat $(for d in $(modules); do ls "$d/go.sum" 2>/dev/null; done) go.work.sum | sort -u >"$tmp/go.sum"

out="$ROOT"
if [ -n "$check" ]; then
	out="$tmp/repo"
	mkdir -p "$out"
	cp "$ROOT/deps.bzl" "$ROOT/WORKSPACE" "$out/"
fi
GOWORK=off "$gazelle" update-repos -repo_root "$out" -from_file="$tmp/go.mod" \
	-to_macro=deps.bzl%go_dependencies -prune >/dev/null
if [ -n "$check" ]; then
	diff -u "$ROOT/deps.bzl" "$out/deps.bzl" || die "deps.bzl is out of date: run ci/gazelle.sh"
	"$gazelle" -repo_root "$ROOT" -mode diff >"$tmp/build.diff" 2>&1 || {
		cat "$tmp/build.diff"
		die "BUILD files are out of date: run ci/gazelle.sh"
	}
	(cd tools && go run ./bzlmodcheck -root "$ROOT")
else
	"$gazelle" -repo_root "$ROOT"
	(cd tools && go run ./bzlmodcheck -root "$ROOT" -write)
fi
