package runner

import (
	"context"
	"errors"
	"testing"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

// Each machine's life is in report.json: one that never came up is
// marked failed, with how long it was tried; a machine the test added
// itself is there too.
func TestMachineSpans(t *testing.T) {
	e := newEnv(t, platformtest.Options{FailCreate: func(c string, i int) error {
		if c == "t.half" && i == 1 {
			return errors.New("no capacity")
		}
		return nil
	}})
	e.add(t,
		register.Test{Name: "t.half", ClusterSize: 2, Run: func(c cluster.TestCluster) {}},
		register.Test{Name: "t.grows", ClusterSize: 1, Run: func(c cluster.TestCluster) {
			if _, err := c.NewMachine(c.Context(), nil); err != nil {
				c.Fatal(err)
			}
		}},
	)
	rep, err, _ := e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	half := got["t.half"].Machines
	failed := 0
	for _, m := range half {
		if m.Failed {
			failed++
			if m.ID != "" || m.ReadySeconds != 0 || m.EndSeconds <= 0 {
				t.Errorf("the machine that never came up: %+v", m)
			}
		}
	}
	// The other may have been cancelled before it was up (its sibling
	// failed): then it never came up either.
	if len(half) != 2 || failed < 1 {
		t.Errorf("t.half's machines: %+v", half)
	}
	if grows := got["t.grows"].Machines; len(grows) != 2 || grows[1].ID == "" || grows[1].Start.Before(grows[0].Start) {
		t.Errorf("t.grows's machines: %+v", grows)
	}
}
