package runner

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/register"
)

// sharedPrefix names the tests that hold shared tests.
const sharedPrefix = "shared-machine-"

// shareMachines replaces the shared tests (register.Test.Shared) with one
// test per group of them that can share a machine — the same userdata,
// disks, machine shape and flags — which runs them one after another as its subtests
// on one machine, as coreos-assembler runs non-exclusive tests. Its
// timeout is the sum of theirs (the run's default for one that sets
// none). Tests keep their order; the groups come after the others.
func shareMachines(tests []*register.Test, defaultTimeout time.Duration) []*register.Test {
	var out []*register.Test
	type group struct {
		key     string
		members []*register.Test
	}
	var groups []*group
next:
	for _, t := range tests {
		if !t.Shared {
			out = append(out, t)
			continue
		}
		key := shareKey(t)
		for _, g := range groups {
			if g.key == key && !slices.ContainsFunc(g.members, func(m *register.Test) bool { return conflict(m, t) }) {
				g.members = append(g.members, t)
				continue next
			}
		}
		groups = append(groups, &group{key: key, members: []*register.Test{t}})
	}
	for i, g := range groups {
		members := g.members
		first := members[0]
		var timeout time.Duration
		var names []string
		var ports []int
		for _, m := range members {
			for _, p := range m.HostPorts {
				if !slices.Contains(ports, p) {
					ports = append(ports, p)
				}
			}
			d := m.Timeout
			if d <= 0 {
				d = defaultTimeout
			}
			timeout += d
			names = append(names, m.Name)
		}
		out = append(out, &register.Test{
			Name:            fmt.Sprintf("%s%d", sharedPrefix, i+1),
			Description:     "shared machine: " + strings.Join(names, ", "),
			ClusterSize:     1,
			UserData:        first.UserData,
			AdditionalDisks: first.AdditionalDisks,
			Machine:         first.Machine,
			HostPorts:       ports,
			Flags:           first.Flags,
			Timeout:         timeout,
			Run: func(c cluster.TestCluster) {
				for _, m := range members {
					c.Run(m.Name, m.Run)
				}
			},
		})
	}
	return out
}

// conflict says whether a or b names the other in its Conflicts (by
// registered name: --multiply's copies conflict as their originals do).
func conflict(a, b *register.Test) bool {
	an, bn := registeredName(a.Name), registeredName(b.Name)
	return slices.Contains(a.Conflicts, bn) || slices.Contains(b.Conflicts, an) || an == bn
}

// shareKey is what a machine is made from: tests with the same key can
// share one.
func shareKey(t *register.Test) string {
	var ud string
	if t.UserData != nil {
		ud = fmt.Sprint(t.UserData.Kind()) + "\x00" + t.UserData.String()
	}
	flags := make([]string, len(t.Flags))
	for i, f := range t.Flags {
		flags[i] = string(f)
	}
	slices.Sort(flags)
	return ud + "\x01" + strings.Join(t.AdditionalDisks, ",") + "\x01" + strings.Join(flags, ",") + fmt.Sprintf("\x01%+v", t.Machine)
}
