#!/usr/bin/env bash
# Cloud-in-a-box: one cloud's whole image pipeline, offline, against its
# simulator with instances booted in QEMU:
#
#   ci/cloud-in-a-box.sh aws|gce|azure|openstack|do [PATTERN...]
#                                   (default 'basic.*' 'ignition.*')
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
# built with them (cached like every strata image), or is the disk
# STRATA_CIB_DISK names. The tools' logs and kola's results stay in
# STRATA_CIB_DIR (default: a temporary directory, kept when the run
# fails). Bazel runs it as //ci:cloud_in_a_box_CLOUD (ci/BUILD.bazel).
source "$(dirname "$0")/lib.sh"

cloud=${1:-}
case "$cloud" in
aws | gce | azure | openstack | do) ;;
"" | -h | --help)
	sed -n '2,/^$/s/^# \{0,1\}//p' "$0"
	exit 2
	;;
esx) die "cloud-in-a-box: esx is not boxed: Ignition reads guestinfo through VMware's backdoor RPC, which QEMU's vmport does not answer (docs/architecture.md)" ;;
packet) die "cloud-in-a-box: packet is not boxed: its metadata is https://metadata.packet.net, a public name and certificate the box cannot give an unchanged image (docs/architecture.md)" ;;
*) die "cloud-in-a-box: $cloud is not a boxed cloud (aws, gce, azure, openstack and do are)" ;;
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

# The Azure, OpenStack and DigitalOcean simulators write the files their
# clients sign in with (a CA and an auth file, clouds.yaml, doctl's
# config).
sim_flags=()
case "$cloud" in
azure | openstack | do) sim_flags=(--state-dir "$work/$cloud-state") ;;
esac

log "cloud-in-a-box $cloud: ore $cloud simulate --boot"
"$BIN/ore" "$cloud" simulate --listen 127.0.0.1:0 --boot --boot-dir "$work/sim" "${sim_flags[@]}" > "$work/simulate.log" 2>&1 &
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

# What differs per cloud: the disk format, how an image is made of it,
# kola's flags for it, and what the guest reads from the metadata service.
case "$cloud" in
aws)
	format=vmdk ext=vmdk
	account=(--aws-endpoint "$endpoint")
	make_image() { # FILE NAME: prints the image ID
		ore aws "${account[@]}" initialize --bucket strata-images >&2
		ore aws "${account[@]}" upload --bucket strata-images --no-progress "$1" >&2
		ore aws "${account[@]}" create-image --bucket strata-images --key "$(basename "$1")" --name "$2" --format vmdk --poll 200ms |
			grep -o 'ami-[0-9a-f]*' | head -1
	}
	image_flags() { echo --aws-ami "$1"; }
	delete_image() { ore aws "${account[@]}" delete-image "$1"; }
	gc() { ore aws "${account[@]}" gc --duration 1s --bucket strata-images "$@"; }
	count_images() { ore aws "${account[@]}" list-images --json | grep -c '"ami-' || true; }
	# The provider launches with IMDSv2 required: keys are read with a
	# session token, and nothing is answered without one.
	key_read='path=/latest/meta-data/public-keys/0/openssh-key status=200 token=true'
	# Ignition asks a dated version (/2019-10-01/user-data), not latest.
	ud_read='path=/[^ ]*/user-data status=200 token=true'
	unauthorized='status=200 token=false'
	;;
gce)
	format=gce-tar ext=tar.gz
	account=(--gce-endpoint "$endpoint" --gce-project strata-sim --gce-zone us-central1-a)
	make_image() {
		ore gce "${account[@]}" upload --bucket kola-images --no-progress "$1" >&2
		ore gce "${account[@]}" create-image --source "gs://kola-images/$(basename "$1")" --name "$2" --poll 200ms >&2
		echo "$2"
	}
	image_flags() { echo --gce-image "$1"; }
	delete_image() { ore gce "${account[@]}" delete-images "$1"; }
	gc() { ore gce "${account[@]}" gc --duration 1s --bucket kola-images "$@"; }
	count_images() { ore gce "${account[@]}" list-images --json | grep -c '"name"' || true; }
	# Every request must say Metadata-Flavor: Google.
	key_read='path=/computeMetadata/v1/instance/attributes/ssh-keys status=200 flavor=true'
	ud_read='path=/computeMetadata/v1/instance/attributes/user-data status=200 flavor=true'
	unauthorized='status=200 flavor=false'
	;;
azure)
	format=vhd ext=vhd
	account=(--azure-endpoint "$endpoint" --azure-ca-file "$work/azure-state/ca.pem" --azure-auth "$work/azure-state/azureAuth.json")
	make_image() {
		local blob
		blob=$(ore azure "${account[@]}" upload-blob --storage-account stratasim --no-progress "$1" |
			sed -n 's/.*--blob \(https[^ ]*\) .*/\1/p')
		[ -n "$blob" ] || return 1
		# Generation V1 boots through SeaBIOS, as the other clouds' runs.
		ore azure "${account[@]}" create-image --resource-group strata-images --name "$2" --blob "$blob" --hyper-v-generation V1 |
			sed -n 's/^image \([^ ]*\) .*/\1/p'
	}
	image_flags() { echo --azure-image "$1"; }
	delete_image() { ore azure "${account[@]}" delete-image "$1"; }
	gc() { ore azure "${account[@]}" gc --duration 1s --storage-account stratasim "$@"; }
	count_images() { ore azure "${account[@]}" list-images --json | grep -c '"ID"' || true; }
	# IMDS answers only requests with Metadata: true; the guest reports
	# ready to the WireServer, which Azure waits for.
	key_read='path=/metadata/instance/compute/publicKeys status=200 header=true'
	ud_read='path=/metadata/instance/compute/userData status=200 header=true'
	unauthorized='service=imds .*status=200 header=false'
	also_read='service=wireserver method=POST path=/machine/ status=200'
	;;
openstack)
	format=qcow2 ext=qcow2
	account=(--os-cloud sim --os-clouds-file "$work/openstack-state/clouds.yaml")
	make_image() {
		ore openstack "${account[@]}" create-image --name "$2" --file "$1" --no-progress |
			sed -n 's/^image \([0-9a-f-]*\) .*/\1/p'
	}
	# Machines get a floating IP, as most OpenStack clouds reach them.
	image_flags() { echo --os-image "$1" --os-floating-ip-pool public; }
	delete_image() { ore openstack "${account[@]}" delete-image "$1"; }
	gc() { ore openstack "${account[@]}" gc --duration 1s "$@"; }
	count_images() { ore openstack "${account[@]}" list-images --json | grep -c '"ID"' || true; }
	# Nova's metadata service has no token or header to check: the key
	# comes from meta_data.json.
	key_read='path=/openstack/latest/meta_data.json status=200'
	ud_read='path=/openstack/latest/user_data status=200'
	unauthorized=''
	;;
do)
	format=qcow2 ext=qcow2
	account=(--do-endpoint "$endpoint" --do-config-file "$work/do-state/config.yaml")
	# DigitalOcean imports an image from a URL it fetches (a Spaces
	# object, usually): here, a file server on this machine.
	command -v python3 > /dev/null || die "cloud-in-a-box do: python3 serves the image to the simulator; it is not installed"
	make_image() {
		python3 -u -m http.server --bind 127.0.0.1 --directory "$(dirname "$1")" 0 > "$work/files.log" 2>&1 &
		local files_pid=$! port=""
		for _ in $(seq 100); do
			port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$work/files.log" | head -1)
			[ -n "$port" ] && break
			sleep 0.1
		done
		ore do "${account[@]}" create-image --name "$2" --url "http://127.0.0.1:$port/$(basename "$1")" --poll 200ms |
			sed -n 's/^image \([0-9]*\) .*/\1/p'
		kill "$files_pid" 2> /dev/null || true
	}
	image_flags() { echo --do-image "$1"; }
	delete_image() { ore do "${account[@]}" delete-image "$1"; }
	gc() { ore do "${account[@]}" gc --duration 1s "$@"; }
	count_images() { ore do "${account[@]}" list-images --json | grep -c '"ID"' || true; }
	# The droplet metadata service has no token or header to check.
	key_read='path=/metadata/v1/public-keys status=200'
	ud_read='path=/metadata/v1/user-data status=200'
	unauthorized=''
	;;
esac

if [ -n "${STRATA_CIB_DISK:-}" ]; then
	# Made already (Bazel's strata_disk, for //ci:cloud_in_a_box_*).
	disk=$STRATA_CIB_DISK
	[ "${disk%."$ext"}" != "$disk" ] || die "cloud-in-a-box: STRATA_CIB_DISK $disk: $cloud takes a .$ext disk"
	log "the ignition image for $cloud: $disk"
else
	log "building the ignition image for $cloud"
	disk="$work/strata-ignition-$cloud.$ext"
	ore qemu build-image ignition --platform "$cloud" --format "$format" --output "$disk" \
		--agent "$BIN/strata-init" --ignition-binary "$BIN/ignition" --initrd-bus "$BIN/strata-initrd-bus" > "$work/build-image.log" 2>&1 ||
		die "cloud-in-a-box: build-image failed: $(tail -5 "$work/build-image.log")"
fi

log "ore $cloud: upload, create-image"
image=$(make_image "$disk" "strata-cib-$(date +%s)" 2>> "$work/ore.log")
[ -n "$image" ] || die "cloud-in-a-box: no image was made: $(tail -5 "$work/ore.log")"
log "image $image"

log "kola run -p $cloud $*"
set +e
# shellcheck disable=SC2046 # image_flags prints a flag and its value
"$BIN/kola" run -p "$cloud" "${account[@]}" $(image_flags "$image") --ssh-proxy "$proxy" --distro strata-ignition \
	--kolet "$BIN/kolet" --output-dir "$work/kola" "$@"
kola_status=$?
set -e

log "ore $cloud gc, delete-image"
delete_image "$image" >> "$work/ore.log" 2>&1
# What kola made is at least a second old by now.
gc >> "$work/ore.log" 2>&1

# Nothing may be left: a dry run finds nothing to collect, no image is
# listed, no QEMU of the simulator's runs.
left=""
gc --dry-run > "$work/gc-after.log" 2>&1
if grep -q "^would delete" "$work/gc-after.log"; then
	left="$left resources:$(grep -c "^would delete" "$work/gc-after.log")"
fi
images=$(count_images 2> /dev/null)
[ "$images" = 0 ] || left="$left images:$images"
# The guests read their keys from the metadata service, by its rules:
# nothing was answered to a request that broke them.
key_reads=$(grep 'msg="metadata request"' "$work/simulate.log" | grep -c "$key_read" || true)
ud_reads=$(grep 'msg="metadata request"' "$work/simulate.log" | grep -c "$ud_read" || true)
unauthorized_reads=0
if [ -n "$unauthorized" ]; then
	unauthorized_reads=$(grep 'msg="metadata request"' "$work/simulate.log" | grep -v 'path=/latest/api/token' | grep -c "$unauthorized" || true)
fi
log "metadata service: $ud_reads userdata reads ($ud_read), $key_reads key reads ($key_read), $unauthorized_reads answered against its rules"
# The ignition tests' machines have configs (basic's may have none).
case " $* " in
*" ignition."*) [ "$ud_reads" -gt 0 ] || left="$left no-userdata-read-from-metadata" ;;
esac
[ "$key_reads" -gt 0 ] || left="$left no-key-read-from-metadata"
# What else the cloud needs from the guest (Azure: the ready report).
if [ -n "${also_read:-}" ] && ! grep 'msg="metadata request"' "$work/simulate.log" | grep -q "$also_read"; then
	left="$left no-request:$also_read"
fi
[ "$unauthorized_reads" = 0 ] || left="$left metadata-answered-against-its-rules:$unauthorized_reads"
if pgrep -f "qemu-system.*$work/sim" > /dev/null; then
	left="$left qemu:$(pgrep -fc "qemu-system.*$work/sim")"
fi
if [ -n "$left" ]; then
	echo "cloud-in-a-box: left behind or wrong:$left" >&2
	status=1
else
	status=$kola_status
fi
log "cloud-in-a-box $cloud: kola exit $kola_status; left behind: ${left:-nothing}"
exit "$status"
