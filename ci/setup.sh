#!/usr/bin/env bash
# Installs what building and testing strata needs, idempotently: a check of
# the Go toolchain, Debian packages, the Go modules of every workspace
# module, and pinned Go tools under .cache/bin.
source "$(dirname "$0")/lib.sh"

command -v go >/dev/null || die "Go not found: install Go >= 1.$GO_MIN_MINOR at /usr/local/go (Debian's golang package is too old)"
minor=$(go env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
[ "$minor" -ge "$GO_MIN_MINOR" ] || die "Go $(go env GOVERSION) is too old: need go1.$GO_MIN_MINOR or newer"

sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

# Debian packages: QEMU runs the test machines; perl's TAP::Parser reads our
# TAP reports in tests; gcc serves go test -race; dpkg-deb reads packages.
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
perl -MTAP::Parser -e1 2>/dev/null || need+=(perl)
command -v gcc >/dev/null || need+=(gcc libc6-dev)
# Ignition (bin/ignition, for the ignition image) links libblkid.
[ -e /usr/include/blkid/blkid.h ] || need+=(libblkid-dev)
command -v pgrep >/dev/null || need+=(procps)
# The debian image: mmdebstrap bootstraps in a user namespace (uidmap),
# genext2fs makes the filesystem from its tar keeping ownership.
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v newuidmap >/dev/null || need+=(uidmap)
command -v genext2fs >/dev/null || need+=(genext2fs)
command -v tune2fs >/dev/null || need+=(e2fsprogs)
# Bootable disks (ore qemu build-image --format): sfdisk, mkfs.fat and
# mtools write them without root; OVMF and swtpm boot them (--qemu-firmware
# uefi, --qemu-tpm). sfdisk and mkfs.fat live in sbin.
[ -x /usr/sbin/sfdisk ] || need+=(fdisk)
[ -x /usr/sbin/mkfs.fat ] || need+=(dosfstools)
command -v mcopy >/dev/null || need+=(mtools)
[ -e /usr/share/OVMF/OVMF_CODE_4M.fd ] || need+=(ovmf)
command -v swtpm >/dev/null || need+=(swtpm)
# Cloud-in-a-box: Azure's provisioning disc is UDF, which genisoimage
# writes (providers/qemu/media).
command -v genisoimage >/dev/null || need+=(genisoimage)
# report.html's test renders it in headless Chromium (a screenshot CI keeps).
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
	log "installing Debian packages: ${need[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# Only the modules that provide a package we build or test: `go mod
# download` would fetch the whole module graph, and the proxy refuses some
# of the modules behind Google's API client that nothing here imports.
log "downloading Go modules"
go list -deps -test $(module_patterns) >/dev/null
(cd "$ROOT/fidelity" && GOWORK=off go list -deps -test ./... >/dev/null)

if [ "$("$TOOLS_BIN/gotestsum" --version 2>/dev/null)" != "gotestsum version $GOTESTSUM_VERSION" ]; then
	log "installing gotestsum $GOTESTSUM_VERSION"
	GOBIN="$TOOLS_BIN" GOFLAGS=-mod=mod go install "gotest.tools/gotestsum@$GOTESTSUM_VERSION"
fi
