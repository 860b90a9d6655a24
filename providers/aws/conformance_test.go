package aws

import (
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/providers/aws/api"
	"github.com/strata-os/strata/providers/aws/sim"
)

// The provider contract, against the EC2 and S3 simulator.
func TestConformance(t *testing.T) {
	platformtest.Conformance(t, platformtest.Target{
		Start:      func(t *testing.T) platformtest.Backend { return startSim(t, sim.Options{PendingDescribes: 3}) },
		RemoveKept: RemoveKept,
		Secret:     testSecretKey,
	})
}

// testSecretKey is the simulated account's secret access key: no log
// line, error or artifact may hold it.
const testSecretKey = "strata-canary-aws-secret-7c2e94b1"

// simBackend is an EC2 region and an S3 with a "kola" security group,
// and credentials from the environment only.
type simBackend struct {
	s     *sim.Server
	s3    *sim.S3
	flags Flags
	api   *api.Client
}

// bucket is where GC's population keeps objects.
const bucket = "kola-images"

func startSim(t *testing.T, opts sim.Options) *simBackend {
	t.Helper()
	s3 := sim.NewS3()
	opts.S3 = s3
	s := sim.New(opts)
	s.AddSecurityGroup("kola")
	srv := httptest.NewServer(sim.Handler(s, s3))
	t.Cleanup(srv.Close)
	f := simFlags(t, srv.URL)
	client, err := Connect(context.Background(), f.Account, nil, fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	return &simBackend{s: s, s3: s3, flags: f, api: client}
}

// simFlags are kola's flags for a simulator at url, with credentials
// from the environment only.
func simFlags(t *testing.T, url string) Flags {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", testSecretKey)
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	return Flags{Account: Account{Region: "us-east-1", Endpoint: url}, AMI: "ami-0123456789abcdef0", InstanceType: "t3.small", SecurityGroup: "kola", BootTimeout: time.Minute}
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
		if in.State != "terminated" {
			left = append(left, "instance "+in.ID+" ("+in.State+")")
		}
	}
	for _, k := range b.s.KeyPairs() {
		left = append(left, "key "+k.Name)
	}
	return left
}

func (b *simBackend) Instance(id string) (platformtest.Instance, bool) {
	for _, in := range b.s.Instances() {
		if in.ID != id {
			continue
		}
		got := platformtest.Instance{UserData: in.UserData}
		for _, k := range b.s.KeyPairs() {
			if k.Name == in.KeyName {
				got.SSHKeys = append(got.SSHKeys, string(k.PublicKey))
			}
		}
		return got, true
	}
	return platformtest.Instance{}, false
}

func (b *simBackend) Launched() []string {
	var ids []string
	for _, in := range b.s.Instances() {
		ids = append(ids, in.ID)
	}
	return ids
}

func (b *simBackend) Faults() *fault.Engine { return b.s.Faults() }

func (b *simBackend) Calls() platformtest.Calls {
	return platformtest.Calls{Create: "RunInstances", Read: "DescribeInstances"}
}

func (b *simBackend) MarkConsole(id string) string {
	line := "strata-conformance: console of " + id
	b.s.SetConsole(id, []byte("Linux version 6.1\n"+line+"\n"))
	return line
}

func (b *simBackend) Kinds() []string {
	return []string{"instance", "key pair", "image", "snapshot", "network", "object"}
}

func (b *simBackend) Plant(t *testing.T, kind string, ours bool, created time.Time) string {
	t.Helper()
	tags := map[string]string{"team": "db"}
	if ours {
		tags = Tags(nil)
	}
	name := fmt.Sprintf("planted-%v-%d", ours, created.Unix())
	switch kind {
	case "instance":
		return b.s.AddInstance(tags, created)
	case "key pair":
		b.s.AddKeyPair(name, tags, created)
		return name
	case "image":
		return b.s.AddImage(name, b.s.AddSnapshot(tags, created), tags, created)
	case "snapshot":
		return b.s.AddSnapshot(tags, created)
	case "network":
		tags[CreatedTag] = created.UTC().Format(time.RFC3339)
		n, err := b.api.CreateNetwork(context.Background(), name, tags)
		if err != nil {
			t.Fatal(err)
		}
		return n.VpcID + " (" + name + ")"
	case "object":
		meta := map[string]string{"team": "db"}
		if ours {
			meta = ObjectMetadata()
		}
		b.s3.AddObject(bucket, name+".raw", []byte("disk"), meta, created)
		return "s3://" + bucket + "/" + name + ".raw"
	}
	t.Fatalf("no such kind %q", kind)
	return ""
}

func (b *simBackend) Exists(kind, id string) bool {
	switch kind {
	case "instance":
		return slices.ContainsFunc(b.s.Instances(), func(in sim.Instance) bool {
			return in.ID == id && in.State != "terminated" && in.State != "shutting-down"
		})
	case "key pair":
		return slices.ContainsFunc(b.s.KeyPairs(), func(k sim.KeyPair) bool { return k.Name == id })
	case "image":
		return slices.ContainsFunc(b.s.Images(), func(im sim.Image) bool { return im.ID == id })
	case "snapshot":
		return slices.ContainsFunc(b.s.Snapshots(), func(sn sim.Snapshot) bool { return sn.ID == id })
	case "network":
		vpcs, _, _, _ := b.s.Networks()
		return slices.ContainsFunc(vpcs, func(v sim.Network) bool { return id == v.VpcID+" ("+v.Tags["Name"]+")" })
	case "object":
		_, ok := b.s3.Object(bucket, id[len("s3://"+bucket+"/"):])
		return ok
	}
	return false
}

func (b *simBackend) GC(ctx context.Context, o cloud.GCOptions) ([]cloud.GCItem, error) {
	return GC(ctx, b.api, bucket, o)
}
