#!/usr/bin/env bash
# Checks the Bazel files with buildifier (pinned): formatting everywhere,
# and lint warnings except in deps.bzl, which gazelle writes. With --fix it
# formats and fixes instead.
source "$(dirname "$0")/lib.sh"

# The revision gazelle v0.26.0 builds with; newer ones are not on this
# machine's module proxy.
BUILDTOOLS_VERSION=v0.0.0-20220531122519-a43aed7014c8
bin="$TOOLS_BIN/buildifier"
if [ "$(cat "$bin.version" 2>/dev/null)" != "$BUILDTOOLS_VERSION" ]; then
	log "installing buildifier $BUILDTOOLS_VERSION"
	GOBIN="$TOOLS_BIN" GOFLAGS=-mod=mod go install "github.com/bazelbuild/buildtools/buildifier@$BUILDTOOLS_VERSION"
	echo "$BUILDTOOLS_VERSION" >"$bin.version"
fi

mapfile -t files < <(git ls-files '*.bazel' '*.bzl' WORKSPACE '*.bzlmod' | grep -v '^third_party/bazel/' || true)
mapfile -t stubs < <(git ls-files 'third_party/bazel/*' | grep -E '(BUILD\.bazel|WORKSPACE|\.bzl)$')
mapfile -t linted < <(printf '%s\n' "${files[@]}" | grep -v '^deps.bzl$')
if [ "${1:-}" = "--fix" ]; then
	"$bin" -lint=fix "${linted[@]}" "${stubs[@]}"
	"$bin" deps.bzl
	exit
fi
"$bin" -mode=check -lint=warn "${linted[@]}" || die "buildifier: see above (ci/buildifier.sh --fix fixes most)"
"$bin" -mode=check deps.bzl "${stubs[@]}" || die "buildifier: formatting (ci/buildifier.sh --fix)"
