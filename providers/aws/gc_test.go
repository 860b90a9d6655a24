package aws

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/api"
	"github.com/strata-os/strata/providers/aws/sim"
)

// A snapshot an image boots from goes with its image, never alone: an
// old snapshot of a young image stays, the snapshot of an old image is
// not listed on its own. (The mixed population of every kind is the
// conformance suite's.)
func TestGCSnapshotsGoWithTheirImages(t *testing.T) {
	b := startSim(t, sim.Options{})
	now := time.Now()
	old, young := now.Add(-8*time.Hour), now.Add(-time.Hour)
	oldImage := b.s.AddImage("old", b.s.AddSnapshot(Tags(nil), old), Tags(nil), old)
	youngImage := b.s.AddImage("young", b.s.AddSnapshot(Tags(nil), old), Tags(nil), young)
	loose := b.s.AddSnapshot(Tags(nil), old)
	ctx := context.Background()
	items, err := GC(ctx, b.api, "", cloud.GCOptions{OlderThan: 5 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"image " + oldImage + " (8h0m0s old)", "snapshot " + loose + " (8h0m0s old)"}
	if got := strs(items); !slices.Equal(got, want) {
		t.Errorf("gc = %q, want %q", got, want)
	}
	if im := b.s.Images(); len(im) != 1 || im[0].ID != youngImage || len(b.s.Snapshots()) != 1 || b.s.Snapshots()[0].ID != im[0].SnapshotID {
		t.Errorf("left: images %+v, snapshots %+v", im, b.s.Snapshots())
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

// Networks a flight made go once old and unused — the first run
// terminates the instance in one and leaves the network, naming the
// instance; the next removes it whole — and uploads go by their metadata;
// untagged and young ones stay.
func TestGCNetworksAndObjects(t *testing.T) {
	// No security group: the flight makes its network.
	s3 := sim.NewS3()
	s := sim.New(sim.Options{PendingDescribes: 1, TerminatingDescribes: 1, S3: s3})
	srv := httptest.NewServer(sim.Handler(s, s3))
	defer srv.Close()
	ctx := context.Background()
	fl, err := newFlight(ctx, simFlags(t, srv.URL), platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()}, fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := fl.NewCluster(ctx, platform.ClusterOptions{Name: "x"})
	if _, err := c.NewMachine(ctx, nil); err != nil {
		t.Fatal(err)
	}
	client := fl.(*flight).api
	// Someone else's network, and a young one of ours.
	if _, err := client.CreateNetwork(ctx, "theirs", map[string]string{"team": "db"}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateNetwork(ctx, "young", Tags(map[string]string{CreatedTag: time.Now().Add(4 * time.Hour).Format(time.RFC3339)})); err != nil {
		t.Fatal(err)
	}
	if _, err := client.EnsureBucket(ctx, "images"); err != nil {
		t.Fatal(err)
	}
	for key, meta := range map[string]map[string]string{"ours.raw": ObjectMetadata(), "theirs.raw": nil} {
		file := filepath.Join(t.TempDir(), key)
		os.WriteFile(file, []byte("disk"), 0o644)
		fh, _ := os.Open(file)
		if _, err := client.Upload(ctx, "images", key, fh, api.UploadOptions{Metadata: meta}); err != nil {
			t.Fatal(err)
		}
		fh.Close()
	}
	vpcs, subnets, gateways, tables := s.Networks()
	if len(vpcs) != 3 || len(subnets) != 3 || len(gateways) != 3 || len(tables) != 3 || len(s.SecurityGroups()) != 3 {
		t.Fatalf("set-up: %d vpcs %d subnets %d gateways %d tables %d groups", len(vpcs), len(subnets), len(gateways), len(tables), len(s.SecurityGroups()))
	}
	later := cloud.GCOptions{OlderThan: 5 * time.Hour, Now: func() time.Time { return time.Now().Add(6 * time.Hour) }}
	items, err := GC(ctx, client, "images", later)
	if err == nil || !strings.Contains(err.Error(), "still used by instances [i-") {
		t.Errorf("first gc: %v", err)
	}
	got := strings.Join(strs(items), "\n")
	if !strings.Contains(got, "instance i-") || !strings.Contains(got, "object s3://images/ours.raw") || strings.Contains(got, "network") || strings.Contains(got, "theirs") {
		t.Errorf("first gc deleted:\n%s", got)
	}
	for running(s) > 0 || len(s.Instances()) > 0 && s.Instances()[0].State != "terminated" {
		client.Instances(ctx, nil) // let the simulated termination finish
	}
	items, err = GC(ctx, client, "images", later)
	if err != nil || len(items) != 1 || !strings.Contains(items[0].ID, "(kola)") {
		t.Fatalf("second gc: %v, %v", strs(items), err)
	}
	vpcs, subnets, gateways, tables = s.Networks()
	var groups []string
	for _, g := range s.SecurityGroups() {
		groups = append(groups, g.Name)
	}
	sort.Strings(groups)
	if len(vpcs) != 2 || len(subnets) != 2 || len(gateways) != 2 || len(tables) != 2 || strings.Join(groups, ",") != "theirs,young" {
		t.Errorf("left: %d vpcs %d subnets %d gateways %d tables, groups %v", len(vpcs), len(subnets), len(gateways), len(tables), groups)
	}
	if _, ok := s3.Object("images", "theirs.raw"); !ok {
		t.Error("an untagged upload was deleted")
	}
	if _, ok := s3.Object("images", "ours.raw"); ok {
		t.Error("our old upload is still there")
	}
	if err := fl.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
}
