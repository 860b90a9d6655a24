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

// Module returns the version of a module linked into the binary, "" if
// it is not (or the build recorded no module versions, as Bazel's).
func Module(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path == path {
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}
