#!/usr/bin/env bash
# Builds what kola and ore need into bin/: kola, ore, kolet, strata-init
# (the minimal image's init), ignition and strata-initrd-bus (the ignition
# image's).
source "$(dirname "$0")/lib.sh"

log "building bin/kola, bin/ore, bin/kolet, bin/strata-init, bin/strata-initrd-bus$([ "${STRATA_BUILD_IGNITION:-1}" = 0 ] || echo " and bin/ignition")"
mkdir -p "$ROOT/bin"
# STRATA_RACE=1 builds kola and ore with the race detector: CI does, so its
# end-to-end runs check for races too and the build reuses what go vet -race
# and go test -race compiled (a normal build would compile everything once more).
race=()
[ "${STRATA_RACE:-0}" = 1 ] && race=(-race)
(cd tools && go build "${race[@]}" -o "$ROOT/bin/kola" ./kola && go build "${race[@]}" -o "$ROOT/bin/ore" ./ore)
(cd agent && CGO_ENABLED=0 go build -ldflags="-s -w" -o "$ROOT/bin/kolet" ./kolet &&
	CGO_ENABLED=0 go build -ldflags="-s -w" -o "$ROOT/bin/strata-init" ./strata-init &&
	CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -buildid=" -o "$ROOT/bin/strata-initrd-bus" ./strata-initrd-bus)
# STRATA_BUILD_IGNITION=0 leaves bin/ignition out: CI builds the ignition
# image with Bazel's Ignition (//third_party/ignition) instead.
[ "${STRATA_BUILD_IGNITION:-1}" = 0 ] && exit 0
# Ignition for the ignition image, at the version go.work pins, the way a
# distribution builds it: its version stamped, no SELinux relabelling, SSH
# keys written to authorized_keys itself (not a fragment only an sshd
# AuthorizedKeysCommand would read). It links libblkid (cgo); the image
# has the library.
ignition=github.com/coreos/ignition/v2
(cd tools && version=$(go list -m -f '{{.Version}}' $ignition) &&
	go build -trimpath -ldflags="-s -w -buildid= -X $ignition/internal/version.Raw=$version \
	-X $ignition/internal/distro.selinuxRelabel=false -X $ignition/internal/distro.writeAuthorizedKeysFragment=false" \
	-o "$ROOT/bin/ignition" $ignition/internal)
