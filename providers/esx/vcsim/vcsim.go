// Package vcsim runs govmomi's own vCenter simulator (package
// simulator, the vcsim its users test with) the way strata's tests and
// ore esx simulate use it, extended only through its public API:
//
//   - a custom field, api.SimulatorField, that marks the server as a
//     simulator (its machines run but never boot, so the provider does not
//     try SSH);
//   - a guest agent: vcsim reports no guest address for a powered-on VM
//     without container backing, so a goroutine gives each powered-on
//     machine of strata's an address as VMware Tools would (through
//     vcsim's SET.guest.ipAddress extra config), a little after it powers
//     on;
//   - a password of the caller's choosing instead of vcsim's any-password
//     login, and TLS with a CA file to check the server against;
//   - a proxy in front of it that misbehaves by the shared fault engine's
//     rules (see faultProxy), since vcsim has no fault injection of the
//     kind strata's conformance suite asks for, and that drops an OVF
//     descriptor's optional serial port before vcsim's OVF manager,
//     which refuses it where vCenter skips it (dropOptionalItems).
package vcsim

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/esx/api"
	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// Options shape the simulator.
type Options struct {
	// Listen is the address to serve on (default a free loopback port).
	Listen string
	// User and Password are the only login taken (default "strata" and a
	// random one is not made here: the caller gives it).
	User, Password string
	// IPDelay is how long after a machine powers on its guest reports an
	// address (default 50 ms).
	IPDelay time.Duration
}

// Sim is a running simulator.
type Sim struct {
	// URL is the SDK's URL, without credentials.
	URL string
	// CAFile holds the certificate to check the server's against.
	CAFile string
	// Template is a VM of the inventory to clone from.
	Template string

	model  *simulator.Model
	server *simulator.Server
	proxy  *httptest.Server
	fp     *faultProxy
	faults fault.Engine
	cancel context.CancelFunc
	wg     sync.WaitGroup
	client *govmomi.Client
}

// TemplateName is the VM strata's tests clone: one of vcsim's VPX
// inventory.
const TemplateName = "DC0_H0_VM0"

// Start starts a vCenter (vcsim's VPX model: one datacenter, hosts, a
// cluster, datastore LocalDS_0, network VM Network) and its guest agent.
func Start(o Options) (*Sim, error) {
	if o.IPDelay == 0 {
		o.IPDelay = 50 * time.Millisecond
	}
	model := simulator.VPX()
	if err := model.Create(); err != nil {
		return nil, fmt.Errorf("vcsim: %w", err)
	}
	model.Service.TLS = new(tls.Config)
	model.Service.RegisterEndpoints = true
	// vcsim on a port of its own; clients reach it through the fault
	// proxy on Listen.
	model.Service.Listen = &url.URL{User: url.UserPassword(o.User, o.Password)}
	server := model.Service.NewServer()
	s := &Sim{model: model, server: server, Template: TemplateName}
	fail := func(err error) (*Sim, error) {
		s.Close()
		return nil, fmt.Errorf("vcsim: %w", err)
	}
	target := *server.URL
	target.User, target.Path = nil, ""
	fp := newFaultProxy(&target, server.Certificate(), &s.faults)
	s.fp = fp
	proxy, err := fp.serve(o.Listen, server.TLS.Certificates)
	if err != nil {
		return fail(err)
	}
	s.proxy = proxy
	s.URL = proxy.URL + server.URL.Path
	ca, err := server.CertificateFile()
	if err != nil {
		return fail(err)
	}
	s.CAFile = ca
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	login := *server.URL
	login.User = url.UserPassword(o.User, o.Password)
	if s.client, err = govmomi.NewClient(ctx, &login, true); err != nil {
		return fail(err)
	}
	// The proxy waits for vcsim's tasks on this client, straight to vcsim:
	// the call's own task, then any task vcsim started inside it (a VM's
	// destroy deletes its files in a task of its own, still running when
	// the destroy is done).
	fp.waitTask = func(ctx context.Context, ref types.ManagedObjectReference) {
		_ = object.NewTask(s.client.Client, ref).Wait(ctx) // failed is done too
		s.waitIdle(ctx)
	}
	m, err := object.GetCustomFieldsManager(s.client.Client)
	if err != nil {
		return fail(err)
	}
	if _, err := m.Add(ctx, api.SimulatorField, "", nil, nil); err != nil {
		return fail(err)
	}
	s.wg.Add(1)
	go s.guestAgent(ctx, o.IPDelay)
	return s, nil
}

// waitIdle returns once none of vcsim's recent tasks is queued or
// running (or ctx ends).
func (s *Sim) waitIdle(ctx context.Context) {
	pc := property.DefaultCollector(s.client.Client)
	for ctx.Err() == nil {
		var tm mo.TaskManager
		if err := pc.RetrieveOne(ctx, *s.client.ServiceContent.TaskManager, []string{"recentTask"}, &tm); err != nil || len(tm.RecentTask) == 0 {
			return
		}
		var tasks []mo.Task
		if err := pc.Retrieve(ctx, tm.RecentTask, []string{"info.state"}, &tasks); err != nil {
			return
		}
		busy := false
		for _, t := range tasks {
			busy = busy || t.Info.State == types.TaskInfoStateQueued || t.Info.State == types.TaskInfoStateRunning
		}
		if !busy {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Close stops the simulator.
func (s *Sim) Close() {
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	if s.client != nil {
		_ = s.client.Logout(context.Background())
	}
	if s.proxy != nil {
		s.proxy.Close()
	}
	s.server.Close()
	s.model.Remove()
}

// guestAgent gives each powered-on machine of strata's without an
// address one, as VMware Tools in its guest would report it.
func (s *Sim) guestAgent(ctx context.Context, delay time.Duration) {
	defer s.wg.Done()
	seen := map[string]time.Time{}
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay / 5):
		}
		vms, err := s.vms(ctx)
		if err != nil {
			continue
		}
		for _, vm := range vms {
			if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn || (vm.Guest != nil && vm.Guest.IpAddress != "") ||
				vm.Config == nil || !strings.HasPrefix(vm.Config.Annotation, "strata:") {
				delete(seen, vm.Self.Value)
				continue
			}
			on, ok := seen[vm.Self.Value]
			if !ok {
				seen[vm.Self.Value] = time.Now()
				continue
			}
			if time.Since(on) < delay {
				continue
			}
			n++
			ip := fmt.Sprintf("10.88.%d.%d", n/250%250, n%250+2)
			task, err := object.NewVirtualMachine(s.client.Client, vm.Self).Reconfigure(ctx, types.VirtualMachineConfigSpec{
				ExtraConfig: []types.BaseOptionValue{&types.OptionValue{Key: "SET.guest.ipAddress", Value: ip}}})
			if err == nil {
				_ = task.Wait(ctx)
			}
		}
	}
}

func (s *Sim) vms(ctx context.Context) ([]mo.VirtualMachine, error) {
	v, err := view.NewManager(s.client.Client).CreateContainerView(ctx, s.client.ServiceContent.RootFolder, []string{"VirtualMachine"}, true)
	if err != nil {
		return nil, err
	}
	defer v.Destroy(context.WithoutCancel(ctx))
	var vms []mo.VirtualMachine
	err = v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"runtime.powerState", "guest.ipAddress", "config.annotation"}, &vms)
	return vms, err
}

// Client is the simulator's own session, for tests to look at what it
// holds.
func (s *Sim) Client() *govmomi.Client { return s.client }

// Faults are the rules the simulator misbehaves by, applied by the proxy
// in front of vcsim (see faultProxy): calls are SOAP methods.
func (s *Sim) Faults() *fault.Engine { return &s.faults }

func netListen(addr string) (net.Listener, error) { return net.Listen("tcp", addr) }
