package azure

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/providers/azure/api"
	"github.com/strata-os/strata/providers/azure/sim"
)

// The provider contract, against the Resource Manager and Entra ID
// simulator.
func TestConformance(t *testing.T) {
	removeTune = func(o *api.Options) {
		o.PollFrequency, o.RetryDelay, o.MaxRetryDelay = 5*time.Millisecond, time.Millisecond, 20*time.Millisecond
	}
	platformtest.Conformance(t, platformtest.Target{
		Start:      func(t *testing.T) platformtest.Backend { return startSim(t, sim.Options{}) },
		RemoveKept: RemoveKept,
		Secret:     testSecret,
	})
}

// testSecret is the simulated service principal's secret: no log line,
// error or artifact may hold it.
const testSecret = "strata-canary-secret-9f3c1d"

// simBackend is a simulated subscription with a Flatcar marketplace
// image, signed in to with a service principal's SDK auth file.
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
	s.AddClient("strata-test-app", testSecret)
	s.AddMarketplaceImage("kinvolk", "flatcar-container-linux-free", "stable", "4230.2.3")
	auth := writeAuthFile(t, map[string]string{"clientId": "strata-test-app", "clientSecret": testSecret, "tenantId": s.Tenant(), "subscriptionId": s.Subscription()})
	// The CA file is for what reconnects from flags alone (RemoveKept).
	ca := filepath.Join(t.TempDir(), "sim-ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return &simBackend{s: s, srv: srv, flags: Flags{
		Account: Account{Location: s.Location(), AuthFile: auth, Endpoint: srv.URL, CAFile: ca},
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

// Kinds are what GC collects: resource groups, managed images in groups
// that are not strata's (ore's, in a group of the user's), and uploaded
// blobs in a storage account GC is pointed at.
func (b *simBackend) Kinds() []string { return []string{gcGroup, gcImage, gcGalleryVersion, gcBlob} }

// userImages is the user's group that planted images live in.
const userImages = "user-images"

func (b *simBackend) Plant(t *testing.T, kind string, ours bool, created time.Time) string {
	t.Helper()
	tags := map[string]string{CreatedAtTag: created.UTC().Format(time.RFC3339), "owner": "someone-else"}
	if ours {
		tags = Tags(nil, created)
	}
	b.planted++
	name := fmt.Sprintf("planted-%d", b.planted)
	switch kind {
	case gcGroup:
		b.s.AddGroup(name, tags)
		return name
	case gcImage:
		if !b.s.Exists(userImages) {
			b.s.AddGroup(userImages, nil)
		}
		if b.s.AddImage(userImages, name, "https://strata.blob.core.windows.net/vhds/"+name+".vhd", tags) == "" {
			t.Fatalf("plant image %s", name)
		}
		return userImages + "/" + name
	case gcGalleryVersion:
		if !b.s.Exists(userImages) {
			b.s.AddGroup(userImages, nil)
		}
		id := b.s.AddGalleryImageVersion(userImages, "strata_gallery", "flatcar", fmt.Sprintf("1.0.%d", b.planted), tags)
		if id == "" {
			t.Fatalf("plant gallery image version %s", name)
		}
		return galleryVersionName(id)
	case gcBlob:
		if !b.s.Exists(userImages) {
			b.s.AddGroup(userImages, nil)
		}
		if !b.s.Exists(userAccountID(b.s)) && !b.s.AddStorageAccount(userImages, userAccount) {
			t.Fatalf("make storage account %s", userAccount)
		}
		md := map[string]string{createdAtMetadata: tags[CreatedAtTag]}
		if ours {
			md[createdByMetadata] = CreatedBy
		}
		if !b.s.AddBlob(userAccount, "vhds", name+".vhd", md) {
			t.Fatalf("plant blob %s", name)
		}
		return userAccount + "/vhds/" + name + ".vhd"
	}
	t.Fatalf("no such kind %q", kind)
	return ""
}

// userAccount is the user's storage account that planted blobs live in.
const userAccount = "userimages"

func userAccountID(s *sim.Server) string {
	return "/subscriptions/" + s.Subscription() + "/resourceGroups/" + userImages + "/providers/Microsoft.Storage/storageAccounts/" + userAccount
}

func (b *simBackend) Exists(kind, id string) bool {
	if kind == gcBlob {
		parts := strings.SplitN(id, "/", 3)
		data, _ := b.s.BlobContent(parts[0], parts[1], parts[2])
		return data != nil
	}
	if kind == gcGalleryVersion {
		parts := strings.Split(id, "/")
		return b.s.Exists("/subscriptions/" + b.s.Subscription() + "/resourceGroups/" + parts[0] + "/providers/Microsoft.Compute/galleries/" + parts[1] + "/images/" + parts[2] + "/versions/" + parts[3])
	}
	if kind == gcImage {
		group, name, _ := strings.Cut(id, "/")
		return b.s.Exists("/subscriptions/" + b.s.Subscription() + "/resourceGroups/" + group + "/providers/Microsoft.Compute/images/" + name)
	}
	return b.s.Exists(id)
}

func (b *simBackend) GC(ctx context.Context, o cloud.GCOptions) ([]cloud.GCItem, error) {
	c, err := Connect(ctx, b.flags.Account, slog.New(slog.DiscardHandler), b.tune)
	if err != nil {
		return nil, err
	}
	return GC(ctx, c, o, GCScope{StorageAccounts: []string{userAccount}})
}

func (b *simBackend) MarkConsole(id string) string {
	line := "strata-conformance console of " + id
	b.s.SetConsole(id, "[    0.000000] Linux version 6.6\n"+line+"\n")
	return line
}
