// Package ignition tests what Ignition does on a machine's first boot:
// files, directories and links with their modes and owners, compressed
// contents, systemd units (enabled, drop-ins, masked), users and groups
// (new and existing), merged configs, remote resources checked by hash, a
// partitions and filesystems on an extra disk, and that all of it happens on the first
// boot only. The tests hold only to Ignition's specification, so they
// run on strata's ignition image and on Fedora CoreOS and Flatcar alike.
package ignition

import (
	"strings"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
)

// distros are the images Ignition configures.
var distros = []string{"strata-ignition", "fcos", "flatcar"}

// check is a command run on the machine and the output (trimmed) it must
// print.
type check struct{ cmd, want string }

// expect runs every check on m, failing the test for each that errs or
// prints something else; it goes on after a failure, so one run shows
// all that differs.
func expect(c cluster.TestCluster, m platform.Machine, checks []check) {
	for _, tc := range checks {
		out, err := c.SSH(m, tc.cmd)
		if err != nil {
			c.Errorf("%s: %v", tc.cmd, err)
			continue
		}
		if got := strings.TrimSpace(string(out)); got != tc.want {
			c.Errorf("%s: %q, want %q", tc.cmd, got, tc.want)
		}
	}
}
