package platform_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
)

// The first failure is the error and cancels the creates still under way
// (one that would never boot ends at once, not at its deadline); what was
// made goes with the cluster.
func TestNewMachinesFirstFailureCancelsTheRest(t *testing.T) {
	fake := platformtest.New(platformtest.Options{
		HangCreate: func(_ string, i int) bool { return i == 0 },
		FailCreate: func(_ string, i int) error {
			if i == 1 {
				return errors.New("boom")
			}
			return nil
		},
	})
	ctx := context.Background()
	fl, err := fake.Registration().NewFlight(ctx, platform.FlightOptions{Name: "f"})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	c, _ := fl.NewCluster(ctx, platform.ClusterOptions{Name: "x"})
	ms, err := platform.NewMachines(ctx, c, 3, nil)
	if ms != nil || err == nil || !strings.Contains(err.Error(), "create 3 machines: create machine 2 of cluster x: boom") || !platform.IsInfra(err) {
		t.Errorf("NewMachines = %v, %v", ms, err)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if live := fake.Live(); len(live) != 0 {
		t.Errorf("left: %v", live)
	}
	ms, err = platform.NewMachines(ctx, c, 0, nil)
	if err != nil || len(ms) != 0 {
		t.Errorf("no machines: %v, %v", ms, err)
	}
}
