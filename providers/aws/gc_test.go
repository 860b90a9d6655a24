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
	items, err := GC(ctx, client, "", opts)
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
	items, err = GC(ctx, client, "", opts)
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
	if _, err := GC(ctx, client, "", cloud.GCOptions{}); err == nil || !strings.Contains(err.Error(), "--duration must be positive") {
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

// Networks a flight made go once old and unused — the first run
// terminates the instance in one and leaves the network, naming the
// instance; the next removes it whole — and uploads go by their metadata;
// untagged and young ones stay.
func TestGCNetworksAndObjects(t *testing.T) {
	s3 := sim.NewS3()
	s := sim.New(sim.Options{PendingDescribes: 1, TerminatingDescribes: 1, S3: s3})
	srv := httptest.NewServer(sim.Handler(s, s3))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	ctx := context.Background()
	f := Flags{Account: Account{Region: "us-east-1", Endpoint: srv.URL}, AMI: "ami-0123456789abcdef0", InstanceType: "t3.small", SecurityGroup: "kola", BootTimeout: time.Minute}
	fl, err := newFlight(ctx, f, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()}, func(o *api.Options) { o.MaxBackoff = 20 * time.Millisecond })
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
	if _, err := client.CreateNetwork(ctx, "young", map[string]string{"CreatedBy": createdBy, createdTag: time.Now().Add(4 * time.Hour).Format(time.RFC3339)}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.EnsureBucket(ctx, "images"); err != nil {
		t.Fatal(err)
	}
	for key, meta := range map[string]map[string]string{"ours.raw": {"created-by": createdBy}, "theirs.raw": nil} {
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
