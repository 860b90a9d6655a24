// Package platformtest is an in-memory provider for testing the runner, the
// harness and kola without a cloud or a hypervisor, in the spirit of
// net/http/httptest. Its machines are real in-process SSH servers (see
// sshclient/sshtest), so everything kola does over SSH is exercised for
// real; commands run with the host's /bin/sh in a per-machine directory
// unless a test hooks them. Failures (a machine that cannot be created, a
// machine that never boots) are injected through Options.
package platformtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/sshclient/sshtest"
	"golang.org/x/crypto/ssh"
)

// Options shape the simulated machines.
type Options struct {
	// Name is the platform name; default "fake".
	Name string
	// Console returns the serial console of a machine; default a clean boot.
	Console func(m *Machine) string
	// Journal is what journalctl prints; empty means the image has no
	// journal (platform.ErrNoJournal).
	Journal string
	// FailCreate, if it returns an error, makes NewMachine fail with it for
	// the machine at index (0-based) of the named cluster.
	FailCreate func(cluster string, index int) error
	// HangCreate makes NewMachine block until its context ends, like a
	// machine that never boots.
	HangCreate func(cluster string, index int) bool
	// CreateLatency is how long every NewMachine takes before it starts,
	// like a boot.
	CreateLatency time.Duration
	// Distro, if set, is what flights report as their image's distribution.
	Distro string
	// Exec, if set, answers commands before the host shell does; ok=false
	// passes the command on.
	Exec func(m *Machine, e *sshtest.Exec) (status int, ok bool)
	// CanKeep makes clusters platform.Keepers; kept machines stay live
	// (in this process) until the registration's RemoveKept.
	CanKeep bool
	// CheckShape, if set, makes flights platform.MachineShapers that
	// answer with it; machines keep the shape they were made with.
	CheckShape func(platform.MachineShape) error
}

// Provider is a fake provider and the state of everything it made.
type Provider struct {
	opts Options

	mu       sync.Mutex
	nextID   int
	live     map[string]*Machine
	created  []*Machine
	flights  int
	destroys int
	// creating and maxCreating count NewMachine calls under way.
	creating, maxCreating int
}

// MaxConcurrentCreates is the most NewMachine calls that were ever under
// way at once.
func (p *Provider) MaxConcurrentCreates() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.maxCreating
}

// New returns a provider; register it with Registration.
func New(opts Options) *Provider {
	if opts.Name == "" {
		opts.Name = "fake"
	}
	return &Provider{opts: opts, live: map[string]*Machine{}}
}

// Registration returns the platform.Provider to register.
func (p *Provider) Registration() platform.Provider {
	return platform.Provider{
		Name:        p.opts.Name,
		Description: "in-memory machines with real SSH, for tests",
		NewFlight: func(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
			base, err := platform.NewBaseFlight(p.opts.Name, opts)
			if err != nil {
				return nil, err
			}
			p.mu.Lock()
			p.flights++
			p.mu.Unlock()
			if p.opts.CheckShape != nil {
				return &shapingFlight{&flight{BaseFlight: base, p: p}}, nil
			}
			return &flight{BaseFlight: base, p: p}, nil
		},
		RemoveKept: p.removeKept,
	}
}

// Live returns the IDs of machines not yet destroyed: a leak check.
func (p *Provider) Live() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []string
	for id := range p.live {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Created returns every machine made, in order.
func (p *Provider) Created() []*Machine {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*Machine(nil), p.created...)
}

type flight struct {
	*platform.BaseFlight
	p *Provider
}

// Distro implements platform.DistroReporter.
func (f *flight) Distro() string { return f.p.opts.Distro }

func (f *flight) NewCluster(ctx context.Context, opts platform.ClusterOptions) (platform.Cluster, error) {
	// Fake machines have no disks to show.
	if err := platform.RefuseAdditionalDisks(f.p.opts.Name, opts); err != nil {
		return nil, err
	}
	c := &cluster{BaseCluster: platform.NewBaseCluster(f.BaseFlight, opts), p: f.p}
	if f.p.opts.CanKeep {
		kc := &keepingCluster{c}
		f.Track(kc)
		return kc, nil
	}
	f.Track(c)
	return c, nil
}

// shapingFlight is a flight that shapes machines (Options.CheckShape).
type shapingFlight struct{ *flight }

func (f *shapingFlight) CheckShape(s platform.MachineShape) error { return f.p.opts.CheckShape(s) }

// keepingCluster is a cluster that keeps machines (Options.CanKeep).
type keepingCluster struct{ *cluster }

func (c *keepingCluster) Keep(ctx context.Context) ([]platform.KeptMachine, error) {
	var kept []platform.KeptMachine
	for _, m := range c.Machines() {
		c.Release(m)
		fm := m.(*Machine)
		kept = append(kept, platform.KeptMachine{ID: fm.id, Platform: c.p.opts.Name, User: fm.User, Addr: fm.Addr, Handle: map[string]string{"id": fm.id}})
	}
	return kept, nil
}

func (p *Provider) removeKept(ctx context.Context, k platform.KeptMachine) (bool, error) {
	p.mu.Lock()
	m := p.live[k.Handle["id"]]
	p.mu.Unlock()
	if m == nil {
		return false, nil
	}
	return true, m.Destroy(ctx)
}

type cluster struct {
	*platform.BaseCluster
	p     *Provider
	mu    sync.Mutex
	count int
}

func (c *cluster) NewMachine(ctx context.Context, ud *conf.UserData) (platform.Machine, error) {
	c.mu.Lock()
	index := c.count
	c.count++
	c.mu.Unlock()
	p := c.p
	p.mu.Lock()
	p.creating++
	p.maxCreating = max(p.maxCreating, p.creating)
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.creating--
		p.mu.Unlock()
	}()
	if p.opts.CreateLatency > 0 {
		select {
		case <-time.After(p.opts.CreateLatency):
		case <-ctx.Done():
			return nil, platform.Infra(fmt.Sprintf("create machine %d of cluster %s", index+1, c.Name()), context.Cause(ctx))
		}
	}
	if p.opts.FailCreate != nil {
		if err := p.opts.FailCreate(c.Name(), index); err != nil {
			return nil, platform.Infra(fmt.Sprintf("create machine %d of cluster %s", index+1, c.Name()), err)
		}
	}
	if p.opts.HangCreate != nil && p.opts.HangCreate(c.Name(), index) {
		<-ctx.Done()
		return nil, platform.Infra(fmt.Sprintf("create machine %d of cluster %s", index+1, c.Name()), fmt.Errorf("no SSH before deadline: %w", context.Cause(ctx)))
	}

	p.mu.Lock()
	p.nextID++
	id := fmt.Sprintf("%s-m%d", p.opts.Name, p.nextID)
	p.mu.Unlock()

	rendered, err := c.RenderUserData(ud, platform.UserDataOptions{EmptyAs: conf.KindIgnition, Vars: map[string]string{
		"public_ipv4": "127.0.0.1", "private_ipv4": fmt.Sprintf("10.0.0.%d", index+2),
	}})
	if err != nil {
		return nil, err
	}
	if err := c.SaveUserData(id, rendered); err != nil {
		return nil, platform.Infra("save userdata", err)
	}
	dir, err := os.MkdirTemp("", id+"-root-")
	if err != nil {
		return nil, platform.Infra("machine root dir", err)
	}
	m := &Machine{p: p, id: id, Cluster: c.Name(), Shape: c.Opts.Shape, Dir: dir, UserData: rendered, privateIP: fmt.Sprintf("10.0.0.%d", index+2), bootID: newBootID()}
	var keys []ssh.PublicKey
	// A key reaches the machine by metadata or by userdata; the fake
	// honours both switches.
	if len(c.MetadataSSHKeys()) > 0 || strings.Contains(string(rendered.Data), c.Flight.SSHKey().AuthorizedKey) {
		keys = append(keys, c.Flight.SSHKey().Signer.PublicKey())
	}
	srv, err := sshtest.NewServer(m.handle, keys...)
	if err != nil {
		os.RemoveAll(dir)
		return nil, platform.Infra("start machine", err)
	}
	m.server = srv
	m.SSHMachine = platform.SSHMachine{Addr: srv.Addr, User: "core", Key: c.Flight.SSHKey(), DialTimeout: 10 * time.Second}
	p.mu.Lock()
	p.live[id] = m
	p.created = append(p.created, m)
	p.mu.Unlock()
	c.AddMachine(m)
	if _, err := m.SSHClient(ctx); err != nil {
		return nil, platform.Infra("wait for SSH on "+id, err) // the cluster destroys it
	}
	return m, nil
}

// Machine is a simulated machine.
type Machine struct {
	platform.SSHMachine
	p         *Provider
	id        string
	privateIP string
	// Cluster is the name of the cluster (the test) the machine is in.
	Cluster string
	// Shape is what its cluster asked of it.
	Shape platform.MachineShape
	// Dir is the machine's "root": commands run there.
	Dir      string
	UserData conf.Rendered
	server   *sshtest.Server

	mu        sync.Mutex
	bootID    string
	reboots   int
	commands  []string
	destroyed bool
}

func (m *Machine) ID() string        { return m.id }
func (m *Machine) IP() string        { return "127.0.0.1" }
func (m *Machine) PrivateIP() string { return m.privateIP }

// Commands returns every command run on the machine.
func (m *Machine) Commands() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.commands...)
}

// Reboots counts completed reboots.
func (m *Machine) Reboots() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reboots
}

func (m *Machine) ConsoleOutput(ctx context.Context) string {
	if m.p.opts.Console != nil {
		return m.p.opts.Console(m)
	}
	return "[    0.000000] Linux version 6.1.0-fake\n[  OK  ] Reached target Multi-User System.\n"
}

func (m *Machine) Destroy(ctx context.Context) error {
	m.mu.Lock()
	if m.destroyed {
		m.mu.Unlock()
		return nil
	}
	m.destroyed = true
	m.mu.Unlock()
	m.Close()
	m.server.Close()
	os.RemoveAll(m.Dir)
	m.p.mu.Lock()
	delete(m.p.live, m.id)
	m.p.destroys++
	m.p.mu.Unlock()
	return nil
}

func (m *Machine) handle(e *sshtest.Exec) int {
	m.mu.Lock()
	m.commands = append(m.commands, e.Command)
	boot := m.bootID
	m.mu.Unlock()
	if m.p.opts.Exec != nil {
		if status, ok := m.p.opts.Exec(m, e); ok {
			return status
		}
	}
	switch {
	case e.Command == "cat /proc/sys/kernel/random/boot_id":
		fmt.Fprintln(e.Stdout, boot)
		return 0
	case strings.Contains(e.Command, "systemctl reboot || reboot"):
		go m.reboot()
		return 0
	case strings.Contains(e.Command, "journalctl"):
		if m.p.opts.Journal == "" {
			return 127
		}
		fmt.Fprint(e.Stdout, m.p.opts.Journal)
		return 0
	}
	return sshtest.LocalShell(m.Dir)(e)
}

func (m *Machine) reboot() {
	time.Sleep(100 * time.Millisecond)
	m.server.Down()
	time.Sleep(200 * time.Millisecond)
	m.mu.Lock()
	m.bootID = newBootID()
	m.reboots++
	destroyed := m.destroyed
	m.mu.Unlock()
	if !destroyed {
		if err := m.server.Up(); err != nil {
			slog.Error("fake machine did not come back", "machine", m.id, "err", err)
		}
	}
}

var bootSeq struct {
	sync.Mutex
	n int
}

func newBootID() string {
	bootSeq.Lock()
	defer bootSeq.Unlock()
	bootSeq.n++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", bootSeq.n)
}

var _ platform.Machine = (*Machine)(nil)
