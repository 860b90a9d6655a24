#!/usr/bin/env bash
# The main job: builds kola, ore and kolet into bin/ and runs kola with the
# arguments given; by default the basic suite on local QEMU machines with
# the minimal image (built on first use from pinned Debian packages).
source "$(dirname "$0")/lib.sh"

"$ROOT/ci/setup.sh"

log "building bin/kola, bin/ore, bin/kolet and bin/strata-init"
mkdir -p "$ROOT/bin"
(cd tools && go build -o "$ROOT/bin/kola" ./kola && go build -o "$ROOT/bin/ore" ./ore)
(cd agent && CGO_ENABLED=0 go build -ldflags="-s -w" -o "$ROOT/bin/kolet" ./kolet &&
	CGO_ENABLED=0 go build -ldflags="-s -w" -o "$ROOT/bin/strata-init" ./strata-init)

if [ $# -eq 0 ]; then
	set -- run --platform qemu 'basic.*'
fi
log "bin/kola $*"
exec "$ROOT/bin/kola" "$@"
