#!/usr/bin/env bash
# Runs every check and test: set-up, gofmt, go vet and go test (with the
# race detector) on every module in go.work, then the main job (the basic
# suite on qemu with the minimal image, ./ci/run.sh), the tests that differ
# on the debian image (cloud-init), then the Bazel path (ci/bazel-test.sh:
# gazelle and buildifier checks, bazel test //..., which builds the minimal
# and ignition images and runs the basic and ignition suites on them).
# Prints kola's summary line for each kola run, one for go test and one
# for bazel test.
source "$(dirname "$0")/lib.sh"

"$ROOT/ci/setup.sh"

log "gofmt"
# shellcheck disable=SC2046
unformatted=$(gofmt -l $(modules) "$ROOT/fidelity")
[ -z "$unformatted" ] || die "not gofmt-formatted (run gofmt -w): $unformatted"

# One build configuration for every Go stage: go vet, the bin/ build and go
# test all use -race, so each package and SDK is compiled once, not once
# per configuration.
export STRATA_RACE=1
log "go vet"
# shellcheck disable=SC2046
go vet -race $(module_patterns)
(cd "$ROOT/fidelity" && GOWORK=off go vet -race ./...)

mkdir -p "$ROOT/.cache"
# What tests keep for people to look at (report.html's screenshot).
export STRATA_ARTIFACTS="$ROOT/.cache/artifacts"
mkdir -p "$STRATA_ARTIFACTS"
status=0
# The simulators against clients other than the providers' (fidelity/,
# a module of its own so their dependencies stay out of the providers'):
# plain Go tests, run beside the go test stage, whose end waits on the
# debian image build; their output is printed after it.
log "simulator fidelity: second clients (in the background)"
(cd "$ROOT/fidelity" && GOWORK=off gotestsum --format testname --jsonfile "$ROOT/.cache/fidelity-test.json" -- -race -timeout 10m ./... \
	>"$ROOT/.cache/fidelity-test.out" 2>&1) &
fidelity_pid=$!

# CI boots the ignition image that Bazel builds, with Bazel's Ignition
# (//third_party/ignition): bin/ignition would be a second cold compile of
# Ignition and the cloud SDKs behind it.
export STRATA_BUILD_IGNITION=0
"$ROOT/ci/build.sh"

log "go test"
# STRATA_TEST_DEBIAN: the debian image is built a second time from an
# empty image cache and compared byte for byte, once per lock, image
# inputs and image code on a machine (TestDebianReproducible remembers a
# check that passed), so a change that makes it unreproducible, or a lock
# that can no longer be built, fails CI, not a user.
# shellcheck disable=SC2046
STRATA_TEST_DEBIAN=1 gotestsum --format testname --junitfile "$ROOT/.cache/go-test-junit.xml" --jsonfile "$ROOT/.cache/go-test.json" \
	-- -race -timeout 15m $(module_patterns) || status=$?

fidelity_status=0
wait "$fidelity_pid" || fidelity_status=$?
log "simulator fidelity: second clients (exit $fidelity_status)"
cat "$ROOT/.cache/fidelity-test.out"
[ "$status" != 0 ] || status=$fidelity_status

# The README's main job: the basic suite on qemu through kola, with the
# minimal image; then on the debian image (systemd, cloud-init) the tests
# whose path differs there: userdata through cloud-init, the private
# network from its network-config and systemd's state. (basic.ssh,
# basic.native and basic.reboot would boot more machines at a minute each
# under TCG to show what the minimal image shows.) The ignition image's
# tests (the same for Ignition and networkd, and the ignition suite) are
# Bazel targets, run with the rest of bazel test below: Bazel builds that
# image hermetically and keeps the result while nothing it depends on
# changes.
# Every parser of outside input has a Fuzz target (its seeds ran in go
# test); each is fuzzed briefly, niced, beside the kola runs and Bazel,
# whose QEMU machines keep the CPU they need. A longer run:
# ci/fuzz.sh -t 10m.
# The providers' own targets (their account files, the release index)
# are left to the long run: fuzzing them compiles their cloud SDKs once
# more in fuzz mode, minutes on a cold machine; their seeds ran above.
log "fuzzing: ./ci/fuzz.sh -t 2s (in the background)"
nice -n 19 "$ROOT/ci/fuzz.sh" -t 2s -x '^providers/[a-z]+\.' >"$ROOT/.cache/fuzz.out" 2>&1 &
fuzz_pid=$!

log "kola end-to-end: ./ci/run.sh"
kola_status=0
"$ROOT/ci/run.sh" || kola_status=$?
[ "$status" != 0 ] || status=$kola_status
log "kola end-to-end on the debian image"
kola_status=0
# Five minutes a boot: under TCG on two CPUs a debian boot takes 45 s
# alone but over three minutes beside a second boot, a reboot and the
# machines still running cloud-init.
# (basic.userdata.script is left to the other images: on debian it shows
# only that cloud-init runs a script, once cloud-config has shown that it
# reads our seed; a debian boot costs a minute and a half here.)
"$ROOT/bin/kola" run --platform qemu --qemu-image debian --qemu-boot-timeout 5m -j 2 \
	'basic.userdata.cloudconfig' 'basic.systemd.*' 'basic.cluster' || kola_status=$?
[ "$status" != 0 ] || status=$kola_status
log "bazel: ./ci/bazel-test.sh"
bazel_status=0
"$ROOT/ci/bazel-test.sh" || bazel_status=$?
[ "$status" != 0 ] || status=$bazel_status

# The fuzzing, niced, has had the kola runs and Bazel beside it (its cold
# compile of the fuzz-instrumented packages is off the critical path).
fuzz_status=0
wait "$fuzz_pid" || fuzz_status=$?
log "fuzzing (exit $fuzz_status)"
cat "$ROOT/.cache/fuzz.out"
[ "$status" != 0 ] || status=$fuzz_status

# One line for CI: test2json writes {"Time":..,"Action":..,"Package":..,"Test":..}.
count() { cat "$ROOT/.cache/go-test.json" "$ROOT/.cache/fidelity-test.json" 2>/dev/null | grep -c "\"Action\":\"$1\",\"Package\":\"[^\"]*\",\"Test\":" || true; }
# A package that fails to build has no test results, only a package "fail".
pkgfail=$(cat "$ROOT/.cache/go-test.json" "$ROOT/.cache/fidelity-test.json" 2>/dev/null | grep -c '"Action":"fail","Package":"[^"]*","Elapsed"' || true)
echo "go test: $(count pass) passed, $(count fail) failed, $(count skip) skipped, $pkgfail packages failed"
exit "$status"
