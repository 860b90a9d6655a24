package do

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/providers/do/api"
	"github.com/strata-os/strata/providers/do/sim"
)

func TestConformance(t *testing.T) {
	pollInterval = 5 * time.Millisecond
	platformtest.Conformance(t, platformtest.Target{
		Start:      func(t *testing.T) platformtest.Backend { return startSim(t, sim.Options{}) },
		RemoveKept: RemoveKept,
		Secret:     testToken,
	})
}

// testToken is the simulated account's token: no log line, error or
// artifact may hold it.
const testToken = "dop_v1_strata-canary-token-5e1b7"

// simBackend is a simulated DigitalOcean account, reached with a token
// from a doctl config file.
type simBackend struct {
	s       *sim.Server
	srv     *httptest.Server
	flags   Flags
	planted int
}

func startSim(t *testing.T, opts sim.Options) *simBackend {
	t.Helper()
	s := sim.New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddToken(testToken)
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("access-token: "+testToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &simBackend{s: s, srv: srv, flags: Flags{
		Account: Account{ConfigFile: cfg, Endpoint: srv.URL},
		Region:  "sfo3", Size: "s-1vcpu-2gb", Image: "ubuntu-24-04-x64", BootTimeout: time.Minute,
	}}
}

// tune makes the client wait milliseconds, not seconds, between retries.
func (b *simBackend) tune(o *api.Options) {
	o.MaxRetries = 20
	o.RetryWaitMin = time.Millisecond
	o.RetryWaitMax = 20 * time.Millisecond
}

func (b *simBackend) NewFlight(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return newFlight(ctx, b.flags, opts, b.tune)
}

// Leftovers are the droplets and SSH keys there; the flight's key is
// flight-wide.
func (b *simBackend) Leftovers() []string {
	var left []string
	for _, d := range b.s.Droplets() {
		left = append(left, "droplet "+d)
	}
	for _, k := range b.s.Keys() {
		left = append(left, "key "+k)
	}
	return left
}

func (b *simBackend) Instance(id string) (platformtest.Instance, bool) {
	in, ok := b.s.Instance(id)
	return platformtest.Instance{UserData: in.UserData, SSHKeys: in.SSHKeys}, ok
}

// Launched are the droplets' IDs, which are the machines' IDs.
func (b *simBackend) Launched() []string { return b.s.Launched() }

func (b *simBackend) Faults() *fault.Engine { return b.s.Faults() }

func (b *simBackend) Calls() platformtest.Calls {
	return platformtest.Calls{Create: "Droplets.Create", Read: "Droplets.Get"}
}

// MarkConsole is the line a droplet's console.txt holds: DigitalOcean
// has no console API, and the provider says so rather than leave it
// empty.
func (b *simBackend) MarkConsole(id string) string {
	return "[strata: DigitalOcean has no API for a droplet's console output; droplet " + id + "'s journal is collected over SSH]"
}

// Kinds are what GC collects: droplets, volumes, snapshots and custom
// images tagged as strata's, and the SSH keys strata added (named with their creation
// time).
func (b *simBackend) Kinds() []string {
	return []string{gcDroplet, gcVolume, gcSnapshot, gcImage, gcKey}
}

func (b *simBackend) Plant(t *testing.T, kind string, ours bool, created time.Time) string {
	t.Helper()
	b.planted++
	switch kind {
	case gcDroplet:
		tags := []string{"someone-else"}
		if ours {
			tags = []string{CreatedByTag, "strata-flight-planted"}
		}
		return strconv.Itoa(b.s.AddDroplet(fmt.Sprintf("planted-%d", b.planted), tags, created))
	case gcVolume, gcSnapshot:
		tags := []string{"someone-else"}
		if ours {
			tags = []string{CreatedByTag}
		}
		if kind == gcVolume {
			return b.s.AddVolume(fmt.Sprintf("planted-%d", b.planted), tags, created)
		}
		return b.s.AddSnapshot(fmt.Sprintf("planted-%d", b.planted), tags, created)
	case gcImage:
		tags := []string{"someone-else"}
		if ours {
			tags = []string{CreatedByTag}
		}
		return strconv.Itoa(b.s.AddImage(fmt.Sprintf("planted-%d", b.planted), tags, created))
	case gcKey:
		name := fmt.Sprintf("laptop-%d-%d", created.Unix(), b.planted)
		if ours {
			name = keyName(created, fmt.Sprintf("strata-flight-planted-%d", b.planted))
		}
		b.s.AddKey(name)
		return name
	}
	t.Fatalf("no such kind %q", kind)
	return ""
}

func (b *simBackend) Exists(kind, id string) bool {
	switch n, _ := strconv.Atoi(id); kind {
	case gcDroplet:
		return b.s.DropletExists(n)
	case gcImage:
		return b.s.ImageExists(n)
	case gcVolume:
		return b.s.VolumeExists(id)
	case gcSnapshot:
		return b.s.SnapshotExists(id)
	}
	return slices.Contains(b.s.Keys(), id)
}

func (b *simBackend) GC(ctx context.Context, o cloud.GCOptions) ([]cloud.GCItem, error) {
	c, err := Connect(ctx, b.flags.Account, slog.New(slog.DiscardHandler), b.tune)
	if err != nil {
		return nil, err
	}
	return GC(ctx, c, o)
}
