package azure

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/azure/sim"
)

// What the conformance suite's mixed population does not show: images in
// strata's groups go with their group and are not listed on their own, a
// group without a readable creation time is never collected, a group that
// fails to delete is reported and the others still go, and a zero bound
// is refused before anything is listed.
func TestGCEdges(t *testing.T) {
	b := startSim(t, sim.Options{})
	old := time.Now().Add(-48 * time.Hour)
	b.s.AddGroup("strata-old-flight", Tags(nil, old))
	b.s.AddImage("strata-old-flight", "in-flight-group", "https://a.blob.core.windows.net/v/x.vhd", Tags(nil, old))
	b.s.AddGroup("strata-no-time", map[string]string{CreatedByTag: CreatedBy})
	b.s.AddGroup("strata-bad-time", map[string]string{CreatedByTag: CreatedBy, CreatedAtTag: "yesterday"})
	b.s.AddGroup("strata-doomed", Tags(nil, old))
	ctx := context.Background()
	c, err := Connect(ctx, b.flags.Account, slog.New(slog.DiscardHandler), b.tune)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := GC(ctx, c, cloud.GCOptions{}, GCScope{}); err == nil || !strings.Contains(err.Error(), "--duration must be positive") {
		t.Errorf("zero duration: %v", err)
	}
	b.s.Faults().Set(fault.Rule{Call: "Microsoft.Resources/subscriptions/resourceGroups/delete", Resource: "strata-doomed", Effect: fault.Error})
	items, err := GC(ctx, c, cloud.GCOptions{OlderThan: time.Hour}, GCScope{})
	if err == nil || !strings.Contains(err.Error(), "strata-doomed") || !strings.Contains(err.Error(), "AuthorizationFailed") {
		t.Errorf("the group that failed to delete is not named: %v", err)
	}
	if got := itemNames(items); strings.Join(got, ",") != "group strata-old-flight" {
		t.Errorf("deleted %v, want only the old flight's group", got)
	}
	for _, g := range []string{"strata-no-time", "strata-bad-time", "strata-doomed"} {
		if !b.s.Exists(g) {
			t.Errorf("group %s is gone", g)
		}
	}
	if b.s.Exists("strata-old-flight") {
		t.Error("the old flight's group is still there")
	}
}

func itemNames(items []cloud.GCItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Kind+" "+it.ID)
	}
	return out
}
