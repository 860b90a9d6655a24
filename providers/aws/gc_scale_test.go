package aws

import (
	"context"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/aws/sim"
)

// An account that leaked for a month: 10,000 resources of four kinds,
// strata's and others', old and young. GC deletes exactly strata's old
// ones and keeps every other.
func TestGCAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 resources")
	}
	b := startSim(t, sim.Options{PageSize: 1000})
	deletions, check := b.s.AddGCPopulation(10000, Tags(nil), time.Now())
	items, err := GC(context.Background(), b.api, "", cloud.GCOptions{OlderThan: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != deletions {
		t.Errorf("GC deleted %d, want %d", len(items), deletions)
	}
	if err := check(); err != nil {
		t.Error(err)
	}
}
