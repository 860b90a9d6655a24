package packet

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/providers/packet/api"
	"github.com/strata-os/strata/providers/packet/sim"
)

func TestConformance(t *testing.T) {
	pollInterval = 5 * time.Millisecond
	platformtest.Conformance(t, platformtest.Target{
		Start:      func(t *testing.T) platformtest.Backend { return startSim(t, sim.Options{}) },
		RemoveKept: RemoveKept,
		Secret:     testKey,
	})
}

// testKey is the simulated project's API key: no log line, error or
// artifact may hold it.
const testKey = "strata-canary-metal-key-0c9e1"

// simBackend is a simulated Metal project, reached with a key from the
// metal CLI's config file, its SOS consoles served too.
type simBackend struct {
	s       *sim.Server
	srv     *httptest.Server
	project string
	flags   Flags
	planted int
}

func startSim(t *testing.T, opts sim.Options) *simBackend {
	t.Helper()
	s := sim.New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	stop, err := s.ServeSOS()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	s.AddToken(testKey)
	project := s.AddProject("kola")
	cfg := filepath.Join(t.TempDir(), "metal.yaml")
	if err := os.WriteFile(cfg, []byte("token: "+testKey+"\nproject-id: "+project+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &simBackend{s: s, srv: srv, project: project, flags: Flags{
		Account: Account{ConfigFile: cfg, Endpoint: srv.URL + sim.Prefix + "/"},
		Plan:    "c3.small.x86", Metro: "sv", OS: "custom_ipxe", IPXEURL: "http://boot.example/strata.ipxe", BootTimeout: time.Minute,
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

// Leftovers are the devices and SSH keys there; the flight's key is
// flight-wide.
func (b *simBackend) Leftovers() []string {
	var left []string
	for _, d := range b.s.Devices() {
		left = append(left, "device "+d)
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

// Launched are the devices' IDs, which are the machines' IDs.
func (b *simBackend) Launched() []string { return b.s.Launched() }

func (b *simBackend) Faults() *fault.Engine { return b.s.Faults() }

func (b *simBackend) Calls() platformtest.Calls {
	return platformtest.Calls{Create: "Devices.Create", Read: "Devices.Get"}
}

// MarkConsole puts a line on the device's SOS console.
func (b *simBackend) MarkConsole(id string) string {
	line := "strata-conformance console of " + id
	b.s.SetConsole(id, "iPXE initialising devices...\n"+line+"\n")
	return line
}

// Kinds are what GC collects.
func (b *simBackend) Kinds() []string { return []string{gcDevice, gcKey} }

func (b *simBackend) Plant(t *testing.T, kind string, ours bool, created time.Time) string {
	t.Helper()
	b.planted++
	switch kind {
	case gcDevice:
		tags := []string{"someone-else"}
		if ours {
			tags = []string{CreatedByTag, "strata-flight-planted"}
		}
		return b.s.AddDevice(b.project, fmt.Sprintf("planted-%d", b.planted), tags, created)
	case gcKey:
		label := fmt.Sprintf("laptop-%d", b.planted)
		if ours {
			label = cloud.TimedName(keyPrefix, created, fmt.Sprintf("strata-flight-planted-%d", b.planted))
		}
		b.s.AddKey(b.project, label, created)
		return label
	}
	t.Fatalf("no such kind %q", kind)
	return ""
}

func (b *simBackend) Exists(kind, id string) bool {
	if kind == gcDevice {
		return b.s.DeviceExists(id)
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
