package openstack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/providers/openstack/api"
	"github.com/strata-os/strata/providers/openstack/sim"
)

func TestConformance(t *testing.T) {
	pollInterval, deletePoll = 5*time.Millisecond, 5*time.Millisecond
	platformtest.Conformance(t, platformtest.Target{
		Start:      func(t *testing.T) platformtest.Backend { return startSim(t, sim.Options{}) },
		RemoveKept: RemoveKept,
		Secret:     testPassword,
	})
}

// testPassword is the simulated user's password: no log line, error or
// artifact may hold it.
const testPassword = "strata-canary-password-81c4"

// simBackend is a simulated OpenStack cloud, reached with a password
// from clouds.yaml and secure.yaml.
type simBackend struct {
	s       *sim.Server
	srv     *httptest.Server
	flags   Flags
	planted int
}

// writeClouds writes a clouds.yaml for the simulator, the password in
// secure.yaml beside it, and returns the clouds.yaml's path.
func writeClouds(t *testing.T, authURL string) string {
	t.Helper()
	dir := t.TempDir()
	cloudsYAML := fmt.Sprintf(`clouds:
  sim:
    auth:
      auth_url: %s
      username: kola
      project_name: %s
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: public
    identity_api_version: 3
`, authURL, sim.ProjectName)
	secure := "clouds:\n  sim:\n    auth:\n      password: " + testPassword + "\n"
	if err := os.WriteFile(filepath.Join(dir, "clouds.yaml"), []byte(cloudsYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "secure.yaml"), []byte(secure), 0o600); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "clouds.yaml")
}

func startSim(t *testing.T, opts sim.Options) *simBackend {
	t.Helper()
	s := sim.New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddUser("kola", testPassword)
	return &simBackend{s: s, srv: srv, flags: Flags{
		Account: Account{Cloud: "sim", CloudsFile: writeClouds(t, srv.URL+"/identity")},
		Flavor:  "m1.small", Image: "cirros", BootTimeout: time.Minute,
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

// Leftovers are the servers, ports and floating IPs there, and the
// flight-wide key pairs and security groups.
func (b *simBackend) Leftovers() []string {
	var left []string
	for _, n := range b.s.Servers() {
		left = append(left, "server "+n)
	}
	for _, r := range b.s.Resources() {
		if kind, name, _ := cutSpace(r); kind == "security-group" {
			left = append(left, "flight security-group "+name)
			continue
		}
		left = append(left, r)
	}
	for _, k := range b.s.KeyPairs() {
		left = append(left, "key "+k)
	}
	return left
}

func cutSpace(s string) (string, string, bool) {
	for i := range len(s) {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func (b *simBackend) Instance(id string) (platformtest.Instance, bool) {
	in, ok := b.s.Instance(id)
	return platformtest.Instance{UserData: in.UserData, SSHKeys: in.SSHKeys}, ok
}

// Launched are the servers' IDs, which are the machines' IDs.
func (b *simBackend) Launched() []string { return b.s.Launched() }

func (b *simBackend) Faults() *fault.Engine { return b.s.Faults() }

func (b *simBackend) Calls() platformtest.Calls {
	return platformtest.Calls{Create: "servers.Create", Read: "servers.Get"}
}

// MarkConsole puts a line in the server's console log.
func (b *simBackend) MarkConsole(id string) string {
	line := "strata-conformance console of " + id
	b.s.SetConsole(id, "SeaBIOS (version 1.16.3)\n"+line+"\n")
	return line
}

// Kinds are what GC collects.
func (b *simBackend) Kinds() []string {
	return []string{gcServer, gcFloatingIP, gcPort, gcSecurityGroup, gcKey, gcImage}
}

func (b *simBackend) Plant(t *testing.T, kind string, ours bool, created time.Time) string {
	t.Helper()
	b.planted++
	path := fmt.Sprintf("planted-%d/c/m", b.planted)
	desc := "someone else's " + path
	if ours {
		desc = describedPrefix + path
	}
	switch kind {
	case gcServer:
		md := map[string]string{"owner": "someone-else"}
		if ours {
			md = map[string]string{CreatedByKey: CreatedBy, PathKey: path}
		}
		return b.s.AddServer(fmt.Sprintf("planted-%d", b.planted), md, created)
	case gcFloatingIP:
		return b.s.AddFloatingIP(desc, created)
	case gcPort:
		return b.s.AddPort(fmt.Sprintf("planted-%d", b.planted), desc, created)
	case gcSecurityGroup:
		name := fmt.Sprintf("web-%d", b.planted)
		if ours {
			name = cloud.TimedName(groupPrefix, created, fmt.Sprintf("planted-%d", b.planted))
		}
		// Neutron's own creation time is now: the name's is the one GC
		// goes by.
		return b.s.AddSecurityGroup(name, "", time.Now())
	case gcKey:
		name := fmt.Sprintf("laptop-%d-%d", created.Unix(), b.planted)
		if ours {
			name = cloud.TimedName(keyPrefix, created, fmt.Sprintf("planted-%d", b.planted))
		}
		b.s.AddKeyPair(name, created)
		return name
	case gcImage:
		tags := []string{"someone-else"}
		if ours {
			tags = []string{ImageTag}
		}
		return b.s.AddImage(fmt.Sprintf("planted-%d", b.planted), tags, created)
	}
	t.Fatalf("no such kind %q", kind)
	return ""
}

func (b *simBackend) Exists(kind, id string) bool { return b.s.Exists(kind, id) }

func (b *simBackend) GC(ctx context.Context, o cloud.GCOptions) ([]cloud.GCItem, error) {
	c, err := Connect(ctx, b.flags.Account, slog.New(slog.DiscardHandler), b.tune)
	if err != nil {
		return nil, err
	}
	return GC(ctx, c, o)
}
