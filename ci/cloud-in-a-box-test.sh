#!/usr/bin/env bash
# The test executable of the //ci:cloud_in_a_box_* targets: runs
# cloud-in-a-box.sh for a cloud with Bazel's binaries and disk.
#
#   cloud-in-a-box-test.sh CLOUD DISK ORE KOLA KOLET [PATTERN...]
#
# (paths in the runfiles tree). The tools' logs and kola's results go to
# the test's undeclared outputs (bazel-testlogs/.../test.outputs).
set -euo pipefail
cloud=$1 disk=$2
shift 2
bin="${TEST_TMPDIR:?not run by bazel test}/bin"
mkdir -p "$bin"
for tool in ore kola kolet; do
	ln -sf "$(realpath "$1")" "$bin/$tool"
	shift
done
export STRATA_BIN="$bin" STRATA_CIB_DISK
STRATA_CIB_DISK=$(realpath "$disk")
export STRATA_CIB_DIR="${TEST_UNDECLARED_OUTPUTS_DIR:-$TEST_TMPDIR}/cloud-in-a-box"
exec "$(dirname "$0")/cloud-in-a-box.sh" "$cloud" "$@"
