package azure

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/providers/azure/api"
	"github.com/strata-os/strata/providers/azure/sim"
)

// The provider contract, against the Resource Manager and Entra ID
// simulator.
func TestConformance(t *testing.T) {
	platformtest.Conformance(t, platformtest.Target{
		Start: func(t *testing.T) platformtest.Backend { return startSim(t, sim.Options{}) },
		Skip:  map[string]string{platformtest.GC: "ore azure gc is not built yet"},
	})
}

// testSecret is the simulated service principal's secret: no log line,
// error or artifact may hold it.
const testSecret = "strata-canary-secret-9f3c1d"

// simBackend is a simulated subscription with a Flatcar marketplace
// image, signed in to with a service principal's SDK auth file.
type simBackend struct {
	s     *sim.Server
	srv   *httptest.Server
	flags Flags
}

func startSim(t *testing.T, opts sim.Options) *simBackend {
	t.Helper()
	s := sim.New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddClient("strata-test-app", testSecret)
	s.AddMarketplaceImage("kinvolk", "flatcar-container-linux-free", "stable", "4230.2.3")
	auth := writeAuthFile(t, map[string]string{"clientId": "strata-test-app", "clientSecret": testSecret, "tenantId": s.Tenant(), "subscriptionId": s.Subscription()})
	return &simBackend{s: s, srv: srv, flags: Flags{
		Account: Account{Location: s.Location(), AuthFile: auth, Endpoint: srv.URL},
		Image:   "kinvolk:flatcar-container-linux-free:stable:latest", Size: "Standard_D2s_v3", BootTimeout: time.Minute,
	}}
}

func writeAuthFile(t *testing.T, fields map[string]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "azureAuth.json")
	b, _ := json.Marshal(fields)
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// tune makes the client trust the simulator and wait milliseconds, not
// seconds, between polls and retries.
func (b *simBackend) tune(o *api.Options) {
	o.HTTPClient = b.srv.Client()
	o.PollFrequency = 5 * time.Millisecond
	o.MaxRetries = 20
	o.RetryDelay = time.Millisecond
	o.MaxRetryDelay = 20 * time.Millisecond
}

func (b *simBackend) NewFlight(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
	return newFlight(ctx, b.flags, opts, b.tune)
}

// Leftovers are the machines' resources still there, and the flight's
// (its resource group, network and security group) as "flight …".
func (b *simBackend) Leftovers() []string {
	var left []string
	for _, typ := range []struct{ typ, kind string }{
		{"Microsoft.Compute/virtualMachines", "vm"},
		{"Microsoft.Network/networkInterfaces", "nic"},
		{"Microsoft.Network/publicIPAddresses", "ip"},
		{"Microsoft.Network/virtualNetworks", "flight vnet"},
		{"Microsoft.Network/networkSecurityGroups", "flight nsg"},
	} {
		for _, r := range b.s.Resources(typ.typ) {
			left = append(left, typ.kind+" "+r.Group+"/"+r.Name)
		}
	}
	for _, g := range b.s.Groups() {
		left = append(left, "flight group "+g.Name)
	}
	return left
}

func (b *simBackend) Instance(id string) (platformtest.Instance, bool) {
	vm, ok := b.s.VM(id)
	if !ok {
		return platformtest.Instance{}, false
	}
	return platformtest.Instance{UserData: vm.CustomData, SSHKeys: vm.SSHKeys}, true
}

// Launched are the machines' names, which are their IDs in strata.
func (b *simBackend) Launched() []string {
	var names []string
	for _, id := range b.s.Launched() {
		names = append(names, path.Base(id))
	}
	return names
}

func (b *simBackend) Faults() *fault.Engine { return b.s.Faults() }

func (b *simBackend) Calls() platformtest.Calls {
	return platformtest.Calls{Create: "Microsoft.Compute/virtualMachines/write", Read: "Microsoft.Compute/virtualMachines/read"}
}

func (b *simBackend) MarkConsole(id string) string {
	line := "strata-conformance console of " + id
	b.s.SetConsole(id, "[    0.000000] Linux version 6.6\n"+line+"\n")
	return line
}
