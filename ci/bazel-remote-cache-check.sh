#!/usr/bin/env bash
# Shows the remote cache at work: starts bazel-remote (ci/bazel-remote.sh),
# builds and tests TARGETS (default //core/...) with --config=remote-cache
# in a clean output base, then again in another clean output base, and
# prints how many of the second run's actions came from the cache. Fails
# when none did.
source "$(dirname "$0")/lib.sh"
"$ROOT/ci/bazel-setup.sh"
"$ROOT/ci/bazel-remote.sh"

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(//core/...)
tmp=$(mktemp -d)
cleanup() {
	for ob in "$tmp"/ob*; do
		[ -d "$ob" ] && bazel --output_base="$ob" shutdown >/dev/null 2>&1 || true
	done
	chmod -R u+w "$tmp" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

run() { # run <n>: a test in clean output base n; prints Bazel's process line
	local start=$SECONDS
	bazel --output_base="$tmp/ob$1" test --config=remote-cache --test_tag_filters=-qemu,-requires-network \
		"${targets[@]}" >"$tmp/run$1.log" 2>&1 || { tail -30 "$tmp/run$1.log" >&2; die "bazel test in output base $1 failed"; }
	echo "$(grep -E '^INFO: [0-9]+ processes' "$tmp/run$1.log" | tail -1) in $((SECONDS - start))s"
}
log "first clean output base (fills the cache)"
first=$(run 1)
log "second clean output base (reads it)"
second=$(run 2)
echo "remote cache, first clean output base:  $first"
echo "remote cache, second clean output base: $second"
grep -qE '[0-9]+ remote cache hit' <<<"$second" || die "no remote cache hits in a clean output base"
