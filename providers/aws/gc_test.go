package aws

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/aws/api"
	"github.com/strata-os/strata/providers/aws/sim"
)

// A mixed population, tagged or not and old or young: GC removes exactly
// the tagged old instances and key pairs, and --dry-run removes nothing.
func TestGC(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	clock := now
	s := sim.New(sim.Options{PendingDescribes: 1, Now: func() time.Time { return clock }})
	s.AddSecurityGroup("kola")
	fl, err := simFlight(t, s)
	if err != nil {
		t.Fatal(err)
	}
	client := fl.(*flight).api
	ctx := context.Background()
	launch := func(name string, tagged bool, age time.Duration) string {
		clock = now.Add(-age)
		spec := map[string]string{"Name": name}
		if tagged {
			spec["CreatedBy"] = createdBy
		}
		in, err := client.RunInstance(ctx, apiSpec(spec))
		if err != nil {
			t.Fatal(err)
		}
		return in.ID
	}
	oldTagged := launch("old-tagged", true, 6*time.Hour)
	launch("old-untagged", false, 6*time.Hour)
	launch("young-tagged", true, time.Hour)
	launch("young-untagged", false, time.Hour)
	clock = now.Add(-7 * time.Hour)
	if err := client.ImportKeyPair(ctx, "old-key", fl.SSHKey().AuthorizedKey, map[string]string{"CreatedBy": createdBy}); err != nil {
		t.Fatal(err)
	}
	if err := client.ImportKeyPair(ctx, "old-untagged-key", fl.SSHKey().AuthorizedKey, nil); err != nil {
		t.Fatal(err)
	}
	clock = now
	// The flight's own key ("kola-test") is tagged and young.
	tagged := map[string]string{"CreatedBy": createdBy}
	old, young := now.Add(-8*time.Hour), now.Add(-time.Hour)
	oldImage := s.AddImage("old", s.AddSnapshot(tagged, old), tagged, old)
	s.AddImage("old-untagged", s.AddSnapshot(nil, old), nil, old)
	s.AddImage("young", s.AddSnapshot(tagged, old), tagged, young) // an old snapshot of a young image stays
	oldSnap := s.AddSnapshot(tagged, old)
	s.AddSnapshot(tagged, young)
	s.AddSnapshot(map[string]string{"CreatedBy": "someone-else"}, old)

	opts := cloud.GCOptions{OlderThan: 5 * time.Hour, DryRun: true, Now: func() time.Time { return now }}
	items, err := GC(ctx, client, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"image " + oldImage + " (8h0m0s old)", "instance " + oldTagged + " (6h0m0s old)", "key pair old-key (7h0m0s old)", "snapshot " + oldSnap + " (8h0m0s old)"}
	if got := strs(items); !slices.Equal(got, want) {
		t.Errorf("dry run = %q, want %q", got, want)
	}
	if n := running(s); n != 4 || len(s.KeyPairs()) != 3 || len(s.Images()) != 3 || len(s.Snapshots()) != 6 {
		t.Fatalf("dry run deleted something: %d running, %d key pairs", n, len(s.KeyPairs()))
	}

	opts.DryRun = false
	items, err = GC(ctx, client, opts)
	if err != nil || !slices.Equal(strs(items), want) {
		t.Fatalf("gc = %q, %v", strs(items), err)
	}
	for _, in := range s.Instances() {
		gone := in.State == "shutting-down" || in.State == "terminated"
		if gone != (in.ID == oldTagged) {
			t.Errorf("%s (%s): %s", in.ID, in.Tags["Name"], in.State)
		}
	}
	var keys []string
	for _, k := range s.KeyPairs() {
		keys = append(keys, k.Name)
	}
	if strings.Join(keys, ",") != "kola-test,old-untagged-key" {
		t.Errorf("key pairs left: %v", keys)
	}
	var images []string
	for _, im := range s.Images() {
		images = append(images, im.Name)
	}
	if strings.Join(images, ",") != "old-untagged,young" || len(s.Snapshots()) != 4 {
		t.Errorf("images left %v, %d snapshots left (want 4: two of the images left, the young one, someone else's)", images, len(s.Snapshots()))
	}
	if _, err := GC(ctx, client, cloud.GCOptions{}); err == nil || !strings.Contains(err.Error(), "--duration must be positive") {
		t.Errorf("zero duration: %v", err)
	}
}

func strs(items []cloud.GCItem) []string {
	var out []string
	for _, i := range items {
		out = append(out, i.String())
	}
	sort.Strings(out)
	return out
}

func running(s *sim.Server) int {
	n := 0
	for _, in := range s.Instances() {
		if in.State == "pending" || in.State == "running" {
			n++
		}
	}
	return n
}

func apiSpec(tags map[string]string) api.InstanceSpec {
	return api.InstanceSpec{ImageID: "ami-0123456789abcdef0", InstanceType: "t3.small", Tags: tags}
}
