#!/usr/bin/env bash
# The main job: builds kola and kolet into bin/ and runs kola with the
# arguments given (default: list the registered tests). Until the qemu
# provider lands there is no platform to run tests on here.
source "$(dirname "$0")/lib.sh"

"$ROOT/ci/setup.sh"

log "building bin/kola and bin/kolet"
mkdir -p "$ROOT/bin"
(cd tools && go build -o "$ROOT/bin/kola" ./kola)
(cd agent && CGO_ENABLED=0 go build -o "$ROOT/bin/kolet" ./kolet)

if [ $# -eq 0 ]; then
	set -- list
fi
log "bin/kola $*"
exec "$ROOT/bin/kola" "$@"
