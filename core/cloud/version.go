package cloud

import (
	"strings"

	"github.com/coreos/go-semver/semver"
)

// CompareVersions orders release versions (plume's, found again from a
// cloud's tags or labels) by semver, and by their text when either is
// not semver: -1, 0 or 1 as a is older than, as old as or newer than b.
func CompareVersions(a, b string) int {
	va, ea := semver.NewVersion(a)
	vb, eb := semver.NewVersion(b)
	if ea != nil || eb != nil {
		return strings.Compare(a, b)
	}
	return va.Compare(*vb)
}
