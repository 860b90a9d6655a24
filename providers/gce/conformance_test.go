package gce

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/providers/gce/api"
	"github.com/strata-os/strata/providers/gce/sim"
)

// The provider contract, against the Compute Engine and Cloud Storage
// simulator.
func TestConformance(t *testing.T) {
	pemKey := newPEMKey(t)
	platformtest.Conformance(t, platformtest.Target{
		Start: func(t *testing.T) platformtest.Backend {
			b := startSim(t, sim.Options{OperationPolls: 3, StartingGets: 2, RequireAuth: true})
			b.signIn(t, pemKey)
			return b
		},
		RemoveKept: RemoveKept,
		// A line of the service account's private key.
		Secret: strings.Split(pemKey, "\n")[1],
	})
}

// signIn has the backend's flights and its own client sign in with a
// service account key holding pemKey, at the simulator's token endpoint.
func (b *simBackend) signIn(t *testing.T, pemKey string) {
	t.Helper()
	b.flags.CredentialsFile = writeServiceAccountKey(t, b.flags.Endpoint+"/token", pemKey, 0o600)
	client, err := Connect(context.Background(), b.flags.Account, nil, fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	b.api = client
}

// simBackend is a simulated project with a public image family and a
// bucket.
type simBackend struct {
	s     *sim.Server
	flags Flags
	api   *api.Client
}

// bucket is where GC's population keeps objects.
const bucket = "kola-images"

func startSim(t *testing.T, opts sim.Options) *simBackend {
	t.Helper()
	s := sim.New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddImage("kinvolk-public", "flatcar-stable-4081-2-0", "flatcar-stable", nil, time.Now().Add(-time.Hour))
	s.AddBucket(bucket)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "never-read.json"))
	f := Flags{Account: Account{Project: "strata-sim", Zone: "us-central1-a", Endpoint: srv.URL}, Image: "kinvolk-public/flatcar-stable",
		MachineType: "e2-medium", Network: "default", BootTimeout: time.Minute}
	client, err := Connect(context.Background(), f.Account, nil, fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	return &simBackend{s: s, flags: f, api: client}
}

// fastRetries makes a throttled test wait milliseconds, not seconds.
func fastRetries(o *api.Options) {
	o.MaxBackoff = 20 * time.Millisecond
	o.MaxAttempts = 20
}

func (b *simBackend) NewFlight(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
	return newFlight(ctx, b.flags, opts, fastRetries)
}

func (b *simBackend) Leftovers() []string {
	var left []string
	for _, in := range b.s.Instances() {
		left = append(left, "instance "+in.Name+" ("+in.Status+")")
	}
	for _, d := range b.s.Disks() {
		left = append(left, "disk "+d.Name)
	}
	return left
}

func (b *simBackend) Instance(id string) (platformtest.Instance, bool) {
	for _, in := range b.s.Instances() {
		if in.Name != id {
			continue
		}
		got := platformtest.Instance{UserData: []byte(in.Metadata["user-data"])}
		if keys := in.Metadata["ssh-keys"]; keys != "" {
			got.SSHKeys = strings.Split(keys, "\n")
		}
		return got, true
	}
	return platformtest.Instance{}, false
}

func (b *simBackend) Launched() []string    { return b.s.Inserted() }
func (b *simBackend) Faults() *fault.Engine { return b.s.Faults() }

func (b *simBackend) Calls() platformtest.Calls {
	return platformtest.Calls{Create: "compute.instances.insert", Read: "compute.instances.get"}
}

func (b *simBackend) MarkConsole(id string) string {
	line := "strata-conformance: console of " + id
	b.s.SetConsole(id, []byte("Linux version 6.1\n"+line+"\n"))
	return line
}

func (b *simBackend) Kinds() []string { return []string{"instance", "disk", "image", "object"} }

func (b *simBackend) Plant(t *testing.T, kind string, ours bool, created time.Time) string {
	t.Helper()
	labels := map[string]string{"team": "db"}
	if ours {
		labels = Labels(nil)
	}
	name := fmt.Sprintf("planted-%s-%v-%d", strings.ReplaceAll(kind, " ", "-"), ours, created.Unix())
	switch kind {
	case "instance":
		b.s.AddInstance(name, labels, created)
	case "disk":
		b.s.AddDisk(name, labels, created)
	case "image":
		b.s.AddImage("strata-sim", name, "", labels, created)
	case "object":
		b.s.AddObject(bucket, name+".tar.gz", []byte("x"), labels, created)
		return "gs://" + bucket + "/" + name + ".tar.gz"
	default:
		t.Fatalf("no such kind %q", kind)
	}
	return name
}

func (b *simBackend) Exists(kind, id string) bool {
	switch kind {
	case "instance":
		return slices.ContainsFunc(b.s.Instances(), func(in sim.Instance) bool { return in.Name == id })
	case "disk":
		return slices.ContainsFunc(b.s.Disks(), func(d sim.Disk) bool { return d.Name == id })
	case "image":
		return slices.ContainsFunc(b.s.Images(), func(im sim.Image) bool { return im.Name == id })
	case "object":
		return slices.ContainsFunc(b.s.Objects(bucket), func(o sim.Object) bool { return "gs://"+bucket+"/"+o.Name == id })
	}
	return false
}

func (b *simBackend) GC(ctx context.Context, o cloud.GCOptions) ([]cloud.GCItem, error) {
	return GC(ctx, b.api, bucket, o)
}
