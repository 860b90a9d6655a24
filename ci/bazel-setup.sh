#!/usr/bin/env bash
# Makes the Bazel path work on a fresh Debian machine, idempotently:
# Debian's bazel-bootstrap (Bazel 4.2.3) with its skylib and rules_java,
# and rules_go v0.34.0 (patched for Go >= 1.20, see third_party/rules_go)
# and gazelle v0.26.0 (patched, see third_party/gazelle) taken from the Go
# module proxy into .cache/bazel/, where WORKSPACE's local_repository rules
# find them. ci/gazelle.sh runs that same gazelle.
source "$(dirname "$0")/lib.sh"

RULES_GO_VERSION=v0.34.0
GAZELLE_VERSION=v0.26.0

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
need=()
# curl: ci/bazel-remote.sh asks bazel-remote whether it is up.
for pkg in bazel-bootstrap bazel-skylib bazel-rules-java curl; do
	dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
	log "installing Debian packages: ${need[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# module_dir downloads a module through the proxy and prints its directory.
module_dir() {
	GOFLAGS=-mod=mod go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'
}

dest="$ROOT/.cache/bazel"
patch_file="$ROOT/third_party/rules_go/rules_go-$RULES_GO_VERSION.patch"
gazelle_patch="$ROOT/third_party/gazelle/gazelle-$GAZELLE_VERSION.patch"
# A stamp of what was materialised, so an edited patch is applied afresh.
stamp="$RULES_GO_VERSION $GAZELLE_VERSION $(cat "$patch_file" "$gazelle_patch" | sha256sum | cut -c1-16)"
if [ "$(cat "$dest/stamp" 2>/dev/null)" != "$stamp" ]; then
	log "materialising rules_go $RULES_GO_VERSION (patched) and gazelle $GAZELLE_VERSION in .cache/bazel"
	rm -rf "$dest"
	mkdir -p "$dest"
	src=$(module_dir "github.com/bazelbuild/rules_go@$RULES_GO_VERSION")
	[ -n "$src" ] || die "could not download rules_go $RULES_GO_VERSION"
	cp -r "$src" "$dest/rules_go"
	chmod -R u+w "$dest/rules_go"
	patch -s -p1 -d "$dest/rules_go" <"$patch_file"
	src=$(module_dir "github.com/bazelbuild/bazel-gazelle@$GAZELLE_VERSION")
	[ -n "$src" ] || die "could not download gazelle $GAZELLE_VERSION"
	cp -r "$src" "$dest/bazel_gazelle"
	chmod -R u+w "$dest/bazel_gazelle"
	patch -s -p1 -d "$dest/bazel_gazelle" <"$gazelle_patch"
	# The module zip drops vendor/, which gazelle's repository tools (built
	# in GOPATH mode) need.
	(cd "$dest/bazel_gazelle" && GOWORK=off GOFLAGS=-mod=mod go mod vendor)
	echo "$stamp" >"$dest/stamp"
fi

# Flags for this machine's Bazel 4.2 that Bazel 7/8 would reject or that
# only make sense here (.bazelrc imports it).
cat >"$ROOT/.bazelrc.site" <<SITE
# Written by ci/bazel-setup.sh for $(bazel --version 2>/dev/null || echo bazel) on this machine.
# The host Go SDK and the Debian rule sets are found through PATH.
build --action_env=PATH=/usr/local/go/bin:/usr/bin:/bin
SITE
# Debian's Bazel 4.2.3 linux-sandbox logs every step of every action; the
# process-wrapper sandbox isolates inputs the same way and stays quiet.
echo "build --spawn_strategy=processwrapper-sandbox" >>"$ROOT/.bazelrc.site"
