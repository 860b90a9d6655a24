#!/usr/bin/env bash
# Boot benchmark: raw kernel+init vs minimal, debian and ignition
# boot-to-SSH, clusters of 3 (qemu)
# and 10 (simulated EC2) against one, and kola wall time
# for ten one-machine tests at -j1 and -j2, printed as one table.
source "$(dirname "$0")/lib.sh"
"$ROOT/ci/setup.sh"
"$ROOT/ci/build.sh"
cd tools && exec go run ./bootbench -agent "$ROOT/bin/strata-init" -ignition "$ROOT/bin/ignition" -initrd-bus "$ROOT/bin/strata-initrd-bus" "$@"
