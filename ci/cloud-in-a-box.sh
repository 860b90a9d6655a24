#!/usr/bin/env bash
# Cloud-in-a-box: one cloud's whole image pipeline, offline, against its
# simulator with instances booted in QEMU:
#
#   ci/cloud-in-a-box.sh aws [PATTERN...]    (default 'basic.*' 'ignition.*')
#
# starts `ore CLOUD simulate --boot`, builds strata's ignition image for
# the cloud, uploads it and makes an image of it with ore, runs kola's
# tests on instances of that image (reached through the simulator's SSH
# proxy), collects what the run made with `ore CLOUD gc`, deletes the
# image, and checks that nothing is left: no instance, image, snapshot or
# object in the simulator, no QEMU process. It exits with kola's status,
# or 1 when something was left behind.
#
# Binaries come from bin/ (./ci/build.sh), or STRATA_BIN; the image is
# built with them (cached like every strata image). The tools' logs and
# kola's results stay in STRATA_CIB_DIR (default: a temporary directory,
# kept when the run fails).
source "$(dirname "$0")/lib.sh"

cloud=${1:-}
case "$cloud" in
aws) ;;
"" | -h | --help)
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
	exit 2
	;;
*) die "cloud-in-a-box: $cloud is not boxed yet (aws is)" ;;
esac
shift
[ $# -gt 0 ] || set -- 'basic.*' 'ignition.*'

BIN=${STRATA_BIN:-$ROOT/bin}
for tool in ore kola kolet; do
	[ -x "$BIN/$tool" ] || die "cloud-in-a-box: $BIN/$tool missing (run ./ci/build.sh, or set STRATA_BIN)"
done
work=${STRATA_CIB_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/strata-cib-$cloud-XXXXXX")}
mkdir -p "$work"
sim_pid=""
status=1
finish() {
	if [ -n "$sim_pid" ]; then
		kill -INT "$sim_pid" 2> /dev/null || true
		wait "$sim_pid" 2> /dev/null || true
	fi
	if [ "$status" = 0 ] && [ -z "${STRATA_CIB_DIR:-}" ]; then
		rm -rf "$work"
	else
		echo "cloud-in-a-box: logs and results in $work" >&2
	fi
}
trap finish EXIT

export AWS_ACCESS_KEY_ID=sim AWS_SECRET_ACCESS_KEY=sim
ore() { "$BIN/ore" "$@"; }

log "cloud-in-a-box $cloud: ore $cloud simulate --boot"
"$BIN/ore" "$cloud" simulate --listen 127.0.0.1:0 --boot --boot-dir "$work/sim" > "$work/simulate.log" 2>&1 &
sim_pid=$!
endpoint="" proxy=""
for _ in $(seq 100); do
	endpoint=$(sed -n 's/.* on \(http[^ ]*\) .*/\1/p' "$work/simulate.log" | head -1)
	proxy=$(sed -n 's/.*--ssh-proxy \(socks5:[^ ]*\).*/\1/p' "$work/simulate.log" | head -1)
	[ -n "$endpoint" ] && [ -n "$proxy" ] && break
	kill -0 "$sim_pid" 2> /dev/null || break
	sleep 0.1
done
[ -n "$endpoint" ] && [ -n "$proxy" ] || die "cloud-in-a-box: the simulator did not start: $(cat "$work/simulate.log")"
log "simulator on $endpoint, instances through $proxy"

log "building the ignition image for $cloud"
disk="$work/strata-ignition-$cloud.vmdk"
ore qemu build-image ignition --platform "$cloud" --format vmdk --output "$disk" \
	--agent "$BIN/strata-init" --ignition-binary "$BIN/ignition" --initrd-bus "$BIN/strata-initrd-bus" > "$work/build-image.log" 2>&1 ||
	die "cloud-in-a-box: build-image failed: $(tail -5 "$work/build-image.log")"

account=(--aws-endpoint "$endpoint")
log "ore $cloud: initialize, upload, create-image"
ore "$cloud" "${account[@]}" initialize --bucket strata-images > "$work/ore.log" 2>&1
ore "$cloud" "${account[@]}" upload --bucket strata-images --no-progress "$disk" >> "$work/ore.log" 2>&1
name="strata-cib-$(date +%s)"
ore "$cloud" "${account[@]}" create-image --bucket strata-images --key "$(basename "$disk")" --name "$name" --format vmdk --poll 200ms > "$work/create-image.out" 2>> "$work/ore.log"
image=$(grep -o 'ami-[0-9a-f]*' "$work/create-image.out" | head -1)
[ -n "$image" ] || die "cloud-in-a-box: create-image gave no AMI: $(cat "$work/create-image.out")"
log "image $image"

log "kola run -p $cloud $*"
set +e
"$BIN/kola" run -p "$cloud" "${account[@]}" --aws-ami "$image" --ssh-proxy "$proxy" --distro strata-ignition \
	--kolet "$BIN/kolet" --output-dir "$work/kola" "$@"
kola_status=$?
set -e

log "ore $cloud gc, delete-image"
ore "$cloud" "${account[@]}" delete-image "$image" >> "$work/ore.log" 2>&1
# What kola made is at least a second old by now.
ore "$cloud" "${account[@]}" gc --duration 1s --bucket strata-images >> "$work/ore.log" 2>&1

# Nothing may be left: a dry run finds nothing to collect, no image is
# listed, no QEMU of the simulator's runs.
left=""
ore "$cloud" "${account[@]}" gc --dry-run --duration 1s --bucket strata-images > "$work/gc-after.log" 2>&1
if grep -q "^would delete" "$work/gc-after.log"; then
	left="$left resources:$(grep -c "^would delete" "$work/gc-after.log")"
fi
images=$(ore "$cloud" "${account[@]}" list-images --json 2> /dev/null | grep -c '"ami-' || true)
[ "$images" = 0 ] || left="$left images:$images"
if pgrep -f "qemu-system.*$work/sim" > /dev/null; then
	left="$left qemu:$(pgrep -fc "qemu-system.*$work/sim")"
fi
if [ -n "$left" ]; then
	echo "cloud-in-a-box: left behind:$left" >&2
	status=1
else
	status=$kola_status
fi
log "cloud-in-a-box $cloud: kola exit $kola_status; left behind: ${left:-nothing}"
exit "$status"
