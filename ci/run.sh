#!/usr/bin/env bash
# The main job: builds kola, ore, kolet and the images' agents into bin/
# (ci/build.sh) and runs kola with the arguments given; by default the
# basic suite on local QEMU machines with the minimal image (built on
# first use from pinned Debian packages).
source "$(dirname "$0")/lib.sh"

"$ROOT/ci/setup.sh"

"$ROOT/ci/build.sh"

if [ $# -eq 0 ]; then
	set -- run --platform qemu 'basic.*'
fi
log "bin/kola $*"
exec "$ROOT/bin/kola" "$@"
