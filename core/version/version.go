// Package version reports the strata version compiled into a binary.
package version

import "runtime/debug"

// Version is set at link time (-X github.com/strata-os/strata/core/version.Version=v1.2.3);
// otherwise the module version from the build info, or "devel".
var Version = ""

// String returns the version.
func String() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/strata-os/strata/core" && d.Version != "" && d.Version != "(devel)" {
				return d.Version
			}
		}
	}
	return "devel"
}
