package runner

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

// Shared tests with the same userdata run one after another on one
// machine, as subtests of a shared-machine-N test; others get their own.
func TestSharedTestsShareAMachine(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	var mu sync.Mutex
	machines := map[string]string{}
	note := func(name string, fail bool) func(cluster.TestCluster) {
		return func(c cluster.TestCluster) {
			mu.Lock()
			machines[name] = c.Machines()[0].ID()
			mu.Unlock()
			if fail {
				c.Fatal("broken")
			}
		}
	}
	ud := conf.CloudConfig("hostname: a\n")
	e.add(t,
		register.Test{Name: "s.one", ClusterSize: 1, Shared: true, UserData: ud, Run: note("s.one", false)},
		register.Test{Name: "s.two", ClusterSize: 1, Shared: true, UserData: ud, Run: note("s.two", true)},
		register.Test{Name: "s.other", ClusterSize: 1, Shared: true, Run: note("s.other", false)},
		register.Test{Name: "x.alone", ClusterSize: 1, Run: note("x.alone", false)},
	)
	rep, err, _ := e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if machines["s.one"] != machines["s.two"] || machines["s.one"] == machines["s.other"] || machines["x.alone"] == machines["s.one"] {
		t.Errorf("machines %v", machines)
	}
	if n := len(e.fake.Created()); n != 3 {
		t.Errorf("%d machines made, want 3", n)
	}
	got := byName(rep)
	b := got["shared-machine-1"]
	if b == nil || b.Status != Failed || len(b.Subtests) != 2 || b.Subtests[0].Name != "shared-machine-1/s.one" || b.Subtests[0].Status != Passed || b.Subtests[1].Status != Failed {
		t.Errorf("shared-machine-1: %+v", b)
	}
	if r := got["shared-machine-2"]; r == nil || r.Status != Passed || len(r.Subtests) != 1 {
		t.Errorf("shared-machine-2: %+v", r)
	}
	if rep.Counts.Passed != 2 || rep.Counts.Failed != 1 {
		t.Errorf("counts %+v", rep.Counts)
	}
}

func TestSharedMustBeOneMachine(t *testing.T) {
	tt := register.Test{Name: "s.big", ClusterSize: 2, Shared: true, Run: func(cluster.TestCluster) {}}
	if err := tt.Validate(); err == nil {
		t.Error("a shared test of two machines validates")
	}
}

// Tests that conflict get machines of their own; so do --multiply's
// copies of one test.
func TestSharedConflicts(t *testing.T) {
	run := func(cluster.TestCluster) {}
	tests := []*register.Test{
		{Name: "s.a", ClusterSize: 1, Shared: true, Run: run},
		{Name: "s.b", ClusterSize: 1, Shared: true, Run: run, Conflicts: []string{"s.a"}},
		{Name: "s.c", ClusterSize: 1, Shared: true, Run: run},
	}
	out := shareMachines(tests, time.Minute)
	if len(out) != 2 || out[0].Description != "shared machine: s.a, s.c" || out[1].Description != "shared machine: s.b" {
		for _, o := range out {
			t.Errorf("%s: %s", o.Name, o.Description)
		}
	}
	if out[0].Timeout != 2*time.Minute {
		t.Errorf("timeout %v", out[0].Timeout)
	}
	out = shareMachines(multiply(tests[:1], 2), time.Minute)
	if len(out) != 2 {
		t.Errorf("copies of one test share a machine: %d groups", len(out))
	}
}
