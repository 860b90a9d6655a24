package esx

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/providers/esx/api"
	"github.com/strata-os/strata/providers/esx/vcsim"
	"github.com/vmware/govmomi/event"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
	"gopkg.in/yaml.v3"
)

func TestConformance(t *testing.T) {
	platformtest.Conformance(t, platformtest.Target{
		Start:      func(t *testing.T) platformtest.Backend { return startSim(t) },
		RemoveKept: RemoveKept,
		Secret:     testPassword,
	})
}

// testPassword is the simulated vCenter's password: no log line, error
// or artifact may hold it.
const testPassword = "strata-canary-vsphere-8d3f"

// simBackend is govmomi's vCenter simulator, reached with a password
// from a config file over TLS checked against its CA.
type simBackend struct {
	sim     *vcsim.Sim
	flags   Flags
	planted int
}

func startSim(t *testing.T) *simBackend {
	t.Helper()
	// Guests report their address after 300 ms: time for the interrupt
	// property to cancel a create while it waits.
	s, err := vcsim.Start(vcsim.Options{User: "kola@vsphere.local", Password: testPassword, IPDelay: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	cfg := filepath.Join(t.TempDir(), "esx.yaml")
	if err := os.WriteFile(cfg, []byte("user: kola@vsphere.local\npassword: "+testPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &simBackend{sim: s, flags: Flags{
		Account:  Account{Server: s.URL, ConfigFile: cfg, CAFile: s.CAFile},
		Template: vcsim.TemplateName, BootTimeout: time.Minute,
	}}
}

func (b *simBackend) NewFlight(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return newFlight(ctx, b.flags, opts, tune)
}

// tune makes the client wait milliseconds, not seconds, between retries.
func tune(o *api.Options) {
	o.MaxRetries = 20
	o.RetryWaitMin = time.Millisecond
	o.RetryWaitMax = 20 * time.Millisecond
}

func (b *simBackend) Faults() *fault.Engine { return b.sim.Faults() }

// Calls are the SOAP methods that clone a machine and power it on (the
// first call on it after it exists).
func (b *simBackend) Calls() platformtest.Calls {
	return platformtest.Calls{Create: "CloneVM_Task", Read: "PowerOnVM_Task"}
}

// vms lists the simulator's virtual machines; a failed listing is an
// empty one (the leak checks then fail on their own).
func (b *simBackend) vms() []mo.VirtualMachine {
	c := b.sim.Client()
	ctx := context.Background()
	v, err := view.NewManager(c.Client).CreateContainerView(ctx, c.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return nil
	}
	defer v.Destroy(ctx)
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"name", "config.annotation", "runtime.powerState"}, &vms); err != nil {
		return nil
	}
	return vms
}

// Leftovers are the virtual machines strata marked.
func (b *simBackend) Leftovers() []string {
	var left []string
	for _, vm := range b.vms() {
		if vm.Config != nil && strings.HasPrefix(vm.Config.Annotation, MarkPrefix) {
			left = append(left, "vm "+vm.Name)
		}
	}
	return left
}

// Instance reads what a VM was given through guestinfo.
func (b *simBackend) Instance(id string) (platformtest.Instance, bool) {
	var vm mo.VirtualMachine
	ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: id}
	if err := property.DefaultCollector(b.sim.Client().Client).RetrieveOne(context.Background(), ref, []string{"config.extraConfig"}, &vm); err != nil || vm.Config == nil {
		return platformtest.Instance{}, false
	}
	info := map[string]string{}
	for _, o := range vm.Config.ExtraConfig {
		if v := o.GetOptionValue(); v != nil {
			info[v.Key] = fmt.Sprint(v.Value)
		}
	}
	var in platformtest.Instance
	for _, k := range []string{"guestinfo.ignition.config.data", "guestinfo.userdata"} {
		if v, ok := info[k]; ok {
			in.UserData, _ = base64.StdEncoding.DecodeString(v)
		}
	}
	md, _ := base64.StdEncoding.DecodeString(info["guestinfo.metadata"])
	var meta struct {
		Keys []string `yaml:"public-keys"`
	}
	if err := yaml.Unmarshal(md, &meta); err == nil {
		in.SSHKeys = meta.Keys
	}
	return in, true
}

// Launched are the machines vCenter's events say were cloned, in order,
// whether they are still there or not (not the ones GC's tests plant).
func (b *simBackend) Launched() []string {
	c := b.sim.Client().Client
	events, err := event.NewManager(c).QueryEvents(context.Background(), types.EventFilterSpec{EventTypeId: []string{"VmClonedEvent"}})
	if err != nil {
		return nil
	}
	slices.SortFunc(events, func(a, b types.BaseEvent) int { return int(a.GetEvent().Key - b.GetEvent().Key) })
	var out []string
	for _, e := range events {
		ev := e.GetEvent()
		if ev.Vm != nil && !strings.HasPrefix(ev.Vm.Name, "planted-") {
			out = append(out, ev.Vm.Vm.Value)
		}
	}
	return out
}

// InterruptNextCreate cancels once the next machine of strata's is
// powered on, while it waits for an address.
func (b *simBackend) InterruptNextCreate(cancel func()) {
	before := map[string]bool{}
	for _, vm := range b.vms() {
		before[vm.Self.Value] = true
	}
	go func() {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			for _, vm := range b.vms() {
				if !before[vm.Self.Value] && vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
					cancel()
					return
				}
			}
		}
	}()
}

// MarkConsole writes a line to the machine's console file on the
// datastore, as the host does for its serial port.
func (b *simBackend) MarkConsole(id string) string {
	var vm mo.VirtualMachine
	ref := types.ManagedObjectReference{Type: "VirtualMachine", Value: id}
	ctx := context.Background()
	c := b.sim.Client().Client
	if err := property.DefaultCollector(c).RetrieveOne(ctx, ref, []string{"name"}, &vm); err != nil {
		return "no such machine " + id
	}
	line := "strata-conformance console of " + id
	ds := object.NewDatastore(c, b.datastore())
	text := "SeaBIOS (version 1.16.3)\n" + line + "\n"
	p := soapUpload(len(text))
	if err := ds.Upload(ctx, strings.NewReader(text), api.ConsolePath(vm.Name), &p); err != nil {
		return "upload failed: " + err.Error()
	}
	return line
}

func (b *simBackend) datastore() types.ManagedObjectReference {
	var dss []mo.Datastore
	c := b.sim.Client()
	v, _ := view.NewManager(c.Client).CreateContainerView(context.Background(), c.ServiceContent.RootFolder, []string{"Datastore"}, true)
	defer v.Destroy(context.Background())
	v.Retrieve(context.Background(), []string{"Datastore"}, []string{"name"}, &dss)
	return dss[0].Self
}

// Kinds are what GC collects.
func (b *simBackend) Kinds() []string { return []string{gcVM} }

// Plant clones vcsim's template VM with strata's mark or another one.
func (b *simBackend) Plant(t *testing.T, kind string, ours bool, created time.Time) string {
	t.Helper()
	b.planted++
	ctx := context.Background()
	c := b.sim.Client().Client
	annotation := "a colleague's VM"
	if ours {
		annotation = mark(created, fmt.Sprintf("planted-%d/c/m", b.planted))
	}
	name := fmt.Sprintf("planted-%d", b.planted)
	var tmpl mo.VirtualMachine
	for _, vm := range b.vms() {
		if vm.Name == vcsim.TemplateName {
			tmpl = vm
		}
	}
	var parent mo.VirtualMachine
	if err := property.DefaultCollector(c).RetrieveOne(ctx, tmpl.Self, []string{"parent", "resourcePool"}, &parent); err != nil {
		t.Fatal(err)
	}
	task, err := object.NewVirtualMachine(c, tmpl.Self).Clone(ctx, object.NewFolder(c, *parent.Parent), name, types.VirtualMachineCloneSpec{
		Location: types.VirtualMachineRelocateSpec{Pool: parent.ResourcePool}, Config: &types.VirtualMachineConfigSpec{Annotation: annotation}})
	if err != nil {
		t.Fatal(err)
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// vcsim drops a clone spec's annotation (see api.Clone).
	task, err = object.NewVirtualMachine(c, info.Result.(types.ManagedObjectReference)).Reconfigure(ctx, types.VirtualMachineConfigSpec{Annotation: annotation})
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func (b *simBackend) Exists(kind, id string) bool {
	for _, vm := range b.vms() {
		if vm.Name == id {
			return true
		}
	}
	return false
}

func (b *simBackend) GC(ctx context.Context, o cloud.GCOptions) ([]cloud.GCItem, error) {
	var fast api.Options
	tune(&fast)
	c, err := Connect(ctx, b.flags.Account, fast, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	defer c.Close(ctx)
	return GC(ctx, c, o)
}
