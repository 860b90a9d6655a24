package gce

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/gce/sim"
)

// A project that leaked for a month: 10,000 resources of four kinds
// (instances with their boot disks, loose disks, images, uploaded
// objects), strata's and others', old and young, listed in pages of 500
// as GCE's largest. GC deletes exactly strata's old ones and keeps every
// other.
func TestGCAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000 resources")
	}
	b := startSim(t, sim.Options{PageSize: 500})
	gone, keep, deletions := plantGCPopulation(b.s, 10000, time.Now())
	start := time.Now()
	items, err := GC(context.Background(), b.api, bucket, cloud.GCOptions{OlderThan: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gc of 10,000: %d deleted in %s", len(items), time.Since(start).Round(time.Millisecond))
	if len(items) != deletions {
		t.Errorf("GC deleted %d, want %d", len(items), deletions)
	}
	exists := map[string]bool{}
	for _, in := range b.s.Instances() {
		exists["instance "+in.Name] = true
	}
	for _, d := range b.s.Disks() {
		exists["disk "+d.Name] = true
	}
	for _, img := range b.s.Images() {
		exists["image "+img.Name] = true
	}
	for _, o := range b.s.Objects(bucket) {
		exists["object "+o.Name] = true
	}
	var wronglyGone, wronglyKept []string
	for _, r := range keep {
		if !exists[r] {
			wronglyGone = append(wronglyGone, r)
		}
	}
	for _, r := range gone {
		if exists[r] {
			wronglyKept = append(wronglyKept, r)
		}
	}
	slices.Sort(wronglyGone)
	slices.Sort(wronglyKept)
	if len(wronglyGone) > 0 || len(wronglyKept) > 0 {
		t.Errorf("%d resources that must stay are gone (first %v); %d old ones of strata's stay (first %v)",
			len(wronglyGone), wronglyGone[:min(3, len(wronglyGone))], len(wronglyKept), wronglyKept[:min(3, len(wronglyKept))])
	}
}

// plantGCPopulation adds n resources to s: half strata's (labels or
// object metadata), half another team's; half of each older than a day.
// It returns what GC must delete and what it must keep, as "kind name"
// (an instance's boot disk goes with it), and how many deletions GC
// makes.
func plantGCPopulation(s *sim.Server, n int, now time.Time) (gone, keep []string, deletions int) {
	old, young := now.Add(-48*time.Hour), now.Add(-time.Hour)
	for i := range n {
		ours, created := i%2 == 0, old
		if i%4 >= 2 {
			created = young
		}
		labels := map[string]string{"team": "db"}
		if ours {
			labels = Labels(nil)
		}
		name := fmt.Sprintf("res-%05d", i)
		var these []string
		switch i % 10 {
		case 0, 1, 2, 3:
			s.AddInstance(name, labels, created)
			these = []string{"instance " + name, "disk " + name}
		case 4, 5:
			s.AddDisk(name, labels, created)
			these = []string{"disk " + name}
		case 6, 7:
			s.AddImage("strata-sim", name, "", labels, created)
			these = []string{"image " + name}
		default:
			s.AddObject(bucket, name+".tar.gz", []byte("x"), labels, created)
			these = []string{"object " + name + ".tar.gz"}
		}
		if ours && created.Equal(old) {
			gone = append(gone, these...)
			deletions++
		} else {
			keep = append(keep, these...)
		}
	}
	return gone, keep, deletions
}
