#!/usr/bin/env bash
# Starts (start, the default) or stops (stop) bazel-remote, a real remote
# cache (github.com/buchgr/bazel-remote/v2, pinned), on loopback: gRPC on
# 127.0.0.1:9092, which .bazelrc's --config=remote-cache uses; HTTP (status)
# on 127.0.0.1:9091. Its data lives in ~/.cache/strata/bazel-remote.
source "$(dirname "$0")/lib.sh"

BAZEL_REMOTE_VERSION=v2.6.2
cache="${STRATA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/strata}"
bin="$TOOLS_BIN/bazel-remote"
pidfile="$ROOT/.cache/bazel-remote.pid"

case "${1:-start}" in
stop)
	if [ -f "$pidfile" ]; then
		kill "$(cat "$pidfile")" 2>/dev/null || true
		rm -f "$pidfile"
	fi
	exit 0
	;;
start) ;;
*) die "usage: ci/bazel-remote.sh [start|stop]" ;;
esac

if [ "$(cat "$bin.version" 2>/dev/null)" != "$BAZEL_REMOTE_VERSION" ]; then
	log "building bazel-remote $BAZEL_REMOTE_VERSION"
	# go install pkg@version asks the proxy for the module's version list,
	# which this machine's proxy refuses; building in the module works.
	src=$(GOFLAGS=-mod=mod go mod download -json "github.com/buchgr/bazel-remote/v2@$BAZEL_REMOTE_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
	[ -n "$src" ] || die "could not download bazel-remote $BAZEL_REMOTE_VERSION"
	mkdir -p "$TOOLS_BIN"
	(cd "$src" && GOWORK=off GOFLAGS=-mod=mod go build -o "$bin" .)
	echo "$BAZEL_REMOTE_VERSION" >"$bin.version"
fi

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	log "bazel-remote already running (pid $(cat "$pidfile"))"
	exit 0
fi
mkdir -p "$cache/bazel-remote" "$ROOT/.cache"
"$bin" --dir "$cache/bazel-remote" --max_size 10 --grpc_address 127.0.0.1:9092 \
	--http_address 127.0.0.1:9091 >"$ROOT/.cache/bazel-remote.log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 50); do
	if curl -fsS http://127.0.0.1:9091/status >/dev/null 2>&1; then
		log "bazel-remote listening on grpc://127.0.0.1:9092 (log: .cache/bazel-remote.log)"
		exit 0
	fi
	kill -0 "$(cat "$pidfile")" 2>/dev/null || { cat "$ROOT/.cache/bazel-remote.log" >&2; die "bazel-remote exited"; }
	sleep 0.2
done
die "bazel-remote did not answer on 127.0.0.1:9091 (see .cache/bazel-remote.log)"
