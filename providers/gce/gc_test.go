package gce

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/gce/sim"
)

// GC on a mixed population — tagged and untagged, old and young, of every
// kind — deletes exactly the tagged old ones; the dry run nothing.
func TestGC(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	old, young := now.Add(-6*time.Hour), now.Add(-time.Hour)
	mine, theirs := labels(), map[string]string{"team": "db"}
	s := sim.New(sim.Options{})
	for _, p := range []struct {
		name    string
		labels  map[string]string
		created time.Time
	}{{"mine-old", mine, old}, {"mine-young", mine, young}, {"theirs-old", theirs, old}, {"unlabelled-old", nil, old}} {
		s.AddInstance("vm-"+p.name, p.labels, p.created)
		s.AddDisk("disk-"+p.name, p.labels, p.created)
		s.AddImage("strata-sim", "img-"+p.name, "", p.labels, p.created)
	}
	s.AddBucket("kola-uploads")
	s.AddObject("kola-uploads", "mine-old.tar.gz", []byte("x"), mine, old)
	s.AddObject("kola-uploads", "mine-young.tar.gz", []byte("x"), mine, young)
	s.AddObject("kola-uploads", "theirs-old.tar.gz", []byte("x"), nil, old)
	f := simFlags(t, s) // adds a public image in another project: never listed
	ctx := context.Background()
	client, err := Connect(ctx, f.Account, nil, fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"instance vm-mine-old", "disk disk-mine-old", "image img-mine-old", "object gs://kola-uploads/mine-old.tar.gz"}
	opts := cloud.GCOptions{OlderThan: 5 * time.Hour, DryRun: true, Now: func() time.Time { return now }}
	items, err := GC(ctx, client, "kola-uploads", opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := strs(items); !slices.Equal(got, want) {
		t.Errorf("dry run: %v, want %v", got, want)
	}
	if len(s.Instances()) != 4 || len(s.Disks()) != 8 || len(s.Images()) != 5 || len(s.Objects("kola-uploads")) != 3 {
		t.Fatalf("the dry run deleted something")
	}
	opts.DryRun = false
	items, err = GC(ctx, client, "kola-uploads", opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := strs(items); !slices.Equal(got, want) {
		t.Errorf("gc: %v, want %v", got, want)
	}
	var left []string
	for _, in := range s.Instances() {
		left = append(left, in.Name)
	}
	for _, d := range s.Disks() {
		left = append(left, d.Name)
	}
	for _, img := range s.Images() {
		left = append(left, img.Name)
	}
	for _, o := range s.Objects("kola-uploads") {
		left = append(left, o.Name)
	}
	for _, name := range left {
		if strings.Contains(name, "mine-old") {
			t.Errorf("%s was not deleted", name)
		}
	}
	// Three instances and their disks, three loose disks, three images and
	// the public one, two objects.
	if len(left) != 3+3+3+4+2 {
		t.Errorf("left %d: %v", len(left), left)
	}
	// Without a bucket, objects are not looked at.
	s.AddObject("kola-uploads", "mine-old-2.tar.gz", []byte("x"), mine, old)
	opts.DryRun = true
	items, err = GC(ctx, client, "", opts)
	if err != nil || len(items) != 0 {
		t.Errorf("without a bucket: %v, %v", items, err)
	}
	if _, err := GC(ctx, client, "", cloud.GCOptions{}); err == nil || !strings.Contains(err.Error(), "--duration must be positive") {
		t.Errorf("zero duration: %v", err)
	}
	if _, err := GC(ctx, client, "no-such-bucket", opts); err == nil || !strings.Contains(err.Error(), "bucket no-such-bucket not found") {
		t.Errorf("missing bucket: %v", err)
	}
}

func strs(items []cloud.GCItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Kind+" "+it.ID)
	}
	return out
}
