#!/usr/bin/env bash
# Upload benchmark: ore aws upload and ore gce upload of a 1 GiB sparse
# file to the S3 and Cloud Storage simulators against a raw loopback copy,
# and ore's peak RSS, as one table.
source "$(dirname "$0")/lib.sh"
"$ROOT/ci/setup.sh"
mkdir -p "$ROOT/bin"
(cd tools && go build -o "$ROOT/bin/ore" ./ore)
cd tools && exec go run ./uploadbench -ore "$ROOT/bin/ore" "$@"
