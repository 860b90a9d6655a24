package aws

import (
	"context"
	"fmt"
	"slices"
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
	now := time.Now()
	old, young := now.Add(-48*time.Hour), now.Add(-time.Hour)
	type planted struct{ kind, id string }
	var keep, gone []planted
	for i := range 10000 {
		ours, created := i%2 == 0, old
		if i%4 >= 2 {
			created = young
		}
		tags := map[string]string{"team": "db"}
		if ours {
			tags = Tags(nil)
		}
		var p planted
		switch i % 10 {
		case 0, 1, 2, 3:
			p = planted{"instance", b.s.AddInstance(tags, created)}
		case 4, 5, 6:
			name := fmt.Sprintf("key-%d", i)
			b.s.AddKeyPair(name, tags, created)
			p = planted{"key pair", name}
		case 7, 8:
			p = planted{"snapshot", b.s.AddSnapshot(tags, created)}
		default:
			p = planted{"image", b.s.AddImage(fmt.Sprintf("img-%d", i), b.s.AddSnapshot(tags, created), tags, created)}
		}
		if ours && created.Equal(old) {
			gone = append(gone, p)
		} else {
			keep = append(keep, p)
		}
	}
	items, err := GC(context.Background(), b.api, "", cloud.GCOptions{OlderThan: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != len(gone) {
		t.Errorf("GC deleted %d, want %d", len(items), len(gone))
	}
	exists := map[string]bool{}
	for _, in := range b.s.Instances() {
		if in.State != "terminated" && in.State != "shutting-down" {
			exists["instance "+in.ID] = true
		}
	}
	for _, k := range b.s.KeyPairs() {
		exists["key pair "+k.Name] = true
	}
	for _, sn := range b.s.Snapshots() {
		exists["snapshot "+sn.ID] = true
	}
	for _, im := range b.s.Images() {
		exists["image "+im.ID] = true
	}
	var wronglyGone, wronglyKept []string
	for _, p := range keep {
		if !exists[p.kind+" "+p.id] {
			wronglyGone = append(wronglyGone, p.kind+" "+p.id)
		}
	}
	for _, p := range gone {
		if exists[p.kind+" "+p.id] {
			wronglyKept = append(wronglyKept, p.kind+" "+p.id)
		}
	}
	slices.Sort(wronglyGone)
	if len(wronglyGone) > 0 || len(wronglyKept) > 0 {
		t.Errorf("%d resources that must stay are gone (first %v); %d old ones of strata's stay", len(wronglyGone), wronglyGone[:min(3, len(wronglyGone))], len(wronglyKept))
	}
}
