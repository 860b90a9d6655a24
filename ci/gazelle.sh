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

# deps.bzl: one go_repository per module that provides a package our code
# or its tests import, at the version the go.work build list selects (a
# replacement's where one is replaced), sums from every go.sum. gazelle's
# update-repos would take the whole module graph: Google's API client
# alone brings hundreds of modules, some of which the proxy refuses.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go list -deps -test -f '{{with .Module}}{{if .Version}}{{.Path}} {{.Version}}{{with .Replace}} {{.Path}} {{.Version}}{{end}}{{end}}{{end}}' \
	$(module_patterns) >"$tmp/modules"
# Modules Bazel needs that no Go import of ours names: buildtools' BUILD files run
# goyacc from golang.org/x/tools (else rules_go would download its own).
go list -m -f '{{.Path}} {{.Version}}' golang.org/x/tools >>"$tmp/modules"
# ...and Ignition's command (a main package under its internal/), which
# //third_party/ignition builds for the ignition image the way ci/build.sh does.
go list -deps -f '{{with .Module}}{{if .Version}}{{.Path}} {{.Version}}{{with .Replace}} {{.Path}} {{.Version}}{{end}}{{end}}{{end}}' \
	github.com/coreos/ignition/v2/internal >>"$tmp/modules"
sort -u -o "$tmp/modules" "$tmp/modules"
(cd tools && go build -o "$tmp/depsbzl" ./depsbzl)
"$tmp/depsbzl" -deps "$ROOT/deps.bzl" ${check:+-check} \
	$(for d in $(modules); do ls "$d/go.sum" 2>/dev/null; done) go.work.sum <"$tmp/modules"
# //third_party/ignition stamps Ignition's version into the binary: the
# version go.work selects, which deps.bzl fetches.
ignition_version=$(go list -m -f '{{.Version}}' github.com/coreos/ignition/v2)
ignition_build="$ROOT/third_party/ignition/BUILD.bazel"
stamp_line="\"github.com/coreos/ignition/v2/internal/version.Raw\": \"$ignition_version\","
if ! grep -qF "$stamp_line" "$ignition_build"; then
	[ -z "$check" ] || die "third_party/ignition/BUILD.bazel: internal/version.Raw is not $ignition_version, the Ignition go.work selects: run ci/gazelle.sh"
	sed -i -E "s|(\"github.com/coreos/ignition/v2/internal/version.Raw\": )\"[^\"]*\"|\1\"$ignition_version\"|" "$ignition_build"
	grep -qF "$stamp_line" "$ignition_build" || die "third_party/ignition/BUILD.bazel: no x_defs entry for internal/version.Raw to set"
fi
if [ -n "$check" ]; then
	"$gazelle" -repo_root "$ROOT" -mode diff >"$tmp/build.diff" 2>&1 || {
		cat "$tmp/build.diff"
		die "BUILD files are out of date: run ci/gazelle.sh"
	}
	(cd tools && go run ./bzlmodcheck -root "$ROOT")
else
	"$gazelle" -repo_root "$ROOT"
	(cd tools && go run ./bzlmodcheck -root "$ROOT" -write)
fi
