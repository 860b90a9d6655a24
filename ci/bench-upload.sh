#!/usr/bin/env bash
# Upload benchmark: ore aws upload, ore gce upload and ore azure
# upload-blob of a 1 GiB file to the S3, Cloud Storage and Blob storage
# simulators against two floors measured in the
# same run (a raw loopback copy, one MD5 pass over the file), and ore's
# peak RSS, as one table (median of 3 rounds; -n, -size to change).
source "$(dirname "$0")/lib.sh"
"$ROOT/ci/setup.sh"
mkdir -p "$ROOT/bin"
(cd tools && go build -o "$ROOT/bin/ore" ./ore)
cd tools && exec go run ./uploadbench -ore "$ROOT/bin/ore" "$@"
