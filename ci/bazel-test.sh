#!/usr/bin/env bash
# The Bazel path: set-up (Debian's Bazel 4.2.3, patched rules_go, gazelle),
# the checks that BUILD files, deps.bzl and MODULE.bazel are in step with
# the Go code and buildifier-clean, then `bazel test //...` (the Go tests
# and the kola_test targets that boot the minimal and ignition images). A disk cache
# under ~/.cache/strata keeps a fresh clone's run warm. Extra arguments go
# to bazel test (e.g. --config=remote-cache). Prints one summary line.
source "$(dirname "$0")/lib.sh"

"$ROOT/ci/bazel-setup.sh"
cache="${STRATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/strata}"
# go_repository takes modules from the host's module cache (ci/setup.sh has
# downloaded them; each is still checked against its sum in deps.bzl), not
# a second download into Bazel's own.
export GO_REPOSITORY_USE_HOST_CACHE=1

log "gazelle --check"
"$ROOT/ci/gazelle.sh" --check
log "buildifier"
"$ROOT/ci/buildifier.sh"

log "bazel test //..."
out="$ROOT/.cache/bazel-test.log"
status=0
bazel test --disk_cache="$cache/bazel-disk" "$@" //... 2>&1 | tee "$out" | grep -v '^INFO: From ' || status=${PIPESTATUS[0]}

# Bazel's own summary: "Executed 3 out of 15 tests: 15 tests pass." or
# "... 12 tests pass and 3 fail locally." (-a: Bazel's progress output
# may put control bytes in the log, and grep then calls it binary.)
line=$(grep -aE '^Executed [0-9]+ out of [0-9]+ tests?' "$out" | tail -1 || true)
passed=$(sed -nE 's/.*: ([0-9]+) tests? pass.*/\1/p' <<<"$line")
failed=$(grep -acE '^//.* (FAILED|TIMEOUT|NO STATUS|FAILED TO BUILD)' "$out" || true)
echo "bazel test: ${passed:-0} passed, $failed failed (${line:-no test summary})"
exit "$status"
