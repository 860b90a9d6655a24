// Package box is cloud-in-a-box: a simulated cloud's instances as real
// QEMU machines. A simulator (providers/<cloud>/sim) hands the box the
// disk an image names and the instance's addresses and metadata handler;
// the box boots that disk through firmware, answers the guest's
// connections to the cloud's metadata address (169.254.169.254) with the
// simulator's handler, gives the instance a private network shared with
// the other instances of its network, and reaches its SSH port from the
// host through a SOCKS5 proxy at the instance's public address. The
// providers do not import this package: against the box they run the
// code path they run against the cloud.
package box

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/strata-os/strata/core/cloud/simproxy"
	"github.com/strata-os/strata/providers/qemu/media"
	"github.com/strata-os/strata/providers/qemu/vm"
)

// Config is how the box runs machines.
type Config struct {
	// Dir holds the disks and the machines' files; made if missing.
	Dir string
	// QEMU is the binary (default qemu-system-x86_64).
	QEMU string
	// Accel is kvm or tcg; "" or auto takes what the qemu provider's
	// probe found on this host boot (kept in CacheDir), else tcg: KVM can
	// be there and still hang a guest's kernel, and the box has no kernel
	// of its own to probe with.
	Accel    string
	CacheDir string
	// MemoryMiB and CPUs are each machine's (default 1024 and 1).
	MemoryMiB, CPUs int
	// OVMFDir is where UEFI firmware is (default /usr/share/OVMF).
	OVMFDir string
	// ProxyAddr is where the SOCKS5 proxy listens (default 127.0.0.1:0).
	ProxyAddr string
	Log       *slog.Logger
}

// Box runs a simulator's instances.
type Box struct {
	cfg   Config
	accel string
	proxy *simproxy.Server
	log   *slog.Logger

	mu        sync.Mutex
	instances map[string]*Instance // by ID
	byIP      map[string]*Instance // by public IP
	networks  map[string]*network  // by name
	closed    bool
}

// MetadataAddr is where the clouds' metadata services answer.
const MetadataAddr = "169.254.169.254:80"

// WireServerAddr is Azure's WireServer, which a guest tells it is
// provisioned.
const WireServerAddr = "168.63.129.16:80"

// The guest's user network must hold every address QEMU forwards
// (guestfwd takes only addresses inside): the metadata address, and for
// Azure the WireServer too, which only a far wider network holds.
const (
	metadataNetwork   = "169.254.0.0/16"
	wireServerNetwork = "168.0.0.0/6"
)

// New makes a box and starts its proxy.
func New(cfg Config) (*Box, error) {
	if cfg.Dir == "" {
		return nil, errors.New("cloud-in-a-box: no directory for disks and machines")
	}
	if err := os.MkdirAll(filepath.Join(cfg.Dir, "disks"), 0o755); err != nil {
		return nil, fmt.Errorf("cloud-in-a-box: %w", err)
	}
	if _, err := vm.CheckBinary(cfg.QEMU); err != nil {
		return nil, fmt.Errorf("cloud-in-a-box: %w", err)
	}
	if cfg.MemoryMiB <= 0 {
		cfg.MemoryMiB = 1024
	}
	if cfg.CPUs <= 0 {
		cfg.CPUs = 1
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	accel, why := vm.Accelerator(context.Background(), cfg.Accel, binaryOr(cfg.QEMU), "", cfg.CacheDir)
	cfg.Log.Info("cloud-in-a-box accelerator", "accel", accel, "why", why)
	b := &Box{cfg: cfg, accel: accel, log: cfg.Log, instances: map[string]*Instance{}, byIP: map[string]*Instance{}, networks: map[string]*network{}}
	addr := cfg.ProxyAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cloud-in-a-box: SSH proxy on %s: %w", addr, err)
	}
	b.proxy = simproxy.Serve(l, b.resolve, cfg.Log)
	return b, nil
}

func binaryOr(qemu string) string {
	if qemu == "" {
		return "qemu-system-x86_64"
	}
	return qemu
}

// ProxyURL is the SOCKS5 proxy kola reaches the instances through
// (kola run --ssh-proxy).
func (b *Box) ProxyURL() string { return b.proxy.URL() }

// resolve maps an instance's public address to its SSH forward.
func (b *Box) resolve(host string, port int) (string, error) {
	b.mu.Lock()
	in, ok := b.byIP[host]
	b.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("%w: no booted instance has the address %s", simproxy.ErrUnreachable, host)
	}
	if port != 22 {
		return "", fmt.Errorf("%w: instance %s forwards only port 22, not %d", simproxy.ErrRefused, in.spec.ID, port)
	}
	select {
	case <-in.m.Exited():
		return "", fmt.Errorf("%w: instance %s is not running (%s)", simproxy.ErrRefused, in.spec.ID, in.m.Why(1))
	default:
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(in.sshPort)), nil
}

// consoleTail is how much of a console the log shows of an instance that
// stopped by itself.
const consoleTail = 2048

// Spec is one instance to boot.
type Spec struct {
	// ID is the cloud's instance ID.
	ID string
	// Disk is the root disk (a file the box keeps, see ImportDisk); it is
	// never written: the instance writes to an overlay.
	Disk, DiskFormat string
	// Firmware is how the image boots: bios (default) or uefi.
	Firmware string
	// PublicIP is the address the cloud reports, reached through the
	// proxy; PrivateIP the one on its network.
	PublicIP, PrivateIP string
	// Network names the private network (a VPC, a subnet): instances of
	// one network reach each other on it, at PrivateIP, which the
	// network's DHCP gives the instance's second card with a mask of
	// PrivatePrefix bits (default 16).
	Network       string
	PrivatePrefix int
	// PrivateMAC is the private card's MAC address, where the cloud
	// reports one (a Neutron port's); by default one made from ID.
	PrivateMAC string
	// Metadata answers the guest at MetadataAddr, as the cloud's
	// metadata service for this instance.
	Metadata http.Handler
	// WireServer, if set, answers the guest at WireServerAddr (Azure's).
	WireServer http.Handler
	// SMBIOS are the strings the cloud's hypervisor sets (-smbios values).
	SMBIOS []string
	// Media, if set, is the disc in the instance's CD-ROM drive: the
	// cloud's provisioning medium or config drive.
	Media *media.Spec
	// MemoryMiB and CPUs override the box's (an instance type's size).
	MemoryMiB, CPUs int
	// OnExit, if set, is called (once, on a goroutine of its own) when
	// the machine ends by itself — its guest powered off, QEMU died —
	// and not by Stop: the cloud then stops the instance its own way.
	OnExit func()
}

// Instance is a booted instance.
type Instance struct {
	spec Spec
	dir  string
	// shortDirs hold the services' sockets when dir's path is too long
	// for one.
	shortDirs   []string
	mac         string   // of the private card
	disc        string   // the disc in its CD-ROM drive (Spec.Media), if any
	net         *network // the private network
	m           *vm.Machine
	sshPort     int
	services    []*http.Server // the metadata service, the WireServer
	consoleFile *os.File
	stopping    bool // Stop was called (b.mu)
}

// Start boots an instance. It returns once QEMU runs; the guest boots on.
func (b *Box) Start(spec Spec) (*Instance, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, errors.New("cloud-in-a-box: closed")
	}
	if _, dup := b.instances[spec.ID]; dup {
		b.mu.Unlock()
		return nil, fmt.Errorf("cloud-in-a-box: instance %s already booted", spec.ID)
	}
	nw, err := b.network(spec.Network)
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	in := &Instance{spec: spec, dir: filepath.Join(b.cfg.Dir, "machines", spec.ID), mac: macFor(spec.ID), net: nw}
	if spec.PrivateMAC != "" {
		hw, err := net.ParseMAC(spec.PrivateMAC)
		if err != nil || len(hw) != 6 {
			return nil, fmt.Errorf("instance %s: private MAC %q is not an Ethernet address", spec.ID, spec.PrivateMAC)
		}
		in.mac = hw.String()
	}
	if err := os.MkdirAll(in.dir, 0o755); err != nil {
		return nil, fmt.Errorf("instance %s: %w", spec.ID, err)
	}
	if ip := net.ParseIP(spec.PrivateIP); ip != nil && ip.To4() != nil {
		prefix := spec.PrivatePrefix
		if prefix <= 0 || prefix > 30 {
			prefix = 16
		}
		nw.dhcp.add(in.mac, ip, net.CIDRMask(prefix, 32))
	}
	fail := func(err error) (*Instance, error) {
		_ = in.stop(context.Background())
		return nil, fmt.Errorf("instance %s: %w", spec.ID, err)
	}
	if in.sshPort, err = vm.FreePort(); err != nil {
		return fail(err)
	}
	var forwards []vm.Forward
	network := metadataNetwork
	for _, svc := range []struct {
		name, addr string
		h          http.Handler
	}{{"metadata", MetadataAddr, spec.Metadata}, {"wireserver", WireServerAddr, spec.WireServer}} {
		if svc.h == nil {
			continue
		}
		sock, short, err := vm.SocketPath(in.dir, svc.name+".sock")
		if err != nil {
			return fail(err)
		}
		if short != "" {
			in.shortDirs = append(in.shortDirs, short)
		}
		l, err := net.Listen("unix", sock)
		if err != nil {
			return fail(fmt.Errorf("%s service: %w", svc.name, err))
		}
		srv := &http.Server{Handler: svc.h, ReadHeaderTimeout: 10 * time.Second}
		in.services = append(in.services, srv)
		go func() { _ = srv.Serve(l) }()
		forwards = append(forwards, vm.Forward{Addr: svc.addr, Socket: sock})
		if svc.addr == WireServerAddr {
			network = wireServerNetwork
		}
	}
	var extra []string
	if spec.Media != nil {
		disc := filepath.Join(in.dir, "media."+spec.Media.Format)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := media.Write(ctx, disc, *spec.Media)
		cancel()
		if err != nil {
			return fail(err)
		}
		// IDE's secondary master, as -cdrom puts it; AHCI on q35.
		extra = append(extra, "-drive", "if=ide,index=2,media=cdrom,readonly=on,format=raw,file="+disc)
		in.disc = disc
	}
	memory, cpus := b.cfg.MemoryMiB, b.cfg.CPUs
	if spec.MemoryMiB > 0 {
		memory = spec.MemoryMiB
	}
	if spec.CPUs > 0 {
		cpus = spec.CPUs
	}
	accel := b.accel
	if accel == "tcg" && cpus > 1 {
		accel = "tcg,thread=multi"
	}
	console, err := os.Create(filepath.Join(in.dir, "console.txt"))
	if err != nil {
		return fail(err)
	}
	in.consoleFile = console
	in.m, err = vm.Start(vm.Config{
		Binary: b.cfg.QEMU, Name: spec.ID, Dir: in.dir, Accel: accel, CPUs: cpus, MemoryMiB: memory,
		Firmware: spec.Firmware, OVMFDir: b.cfg.OVMFDir, Disk: spec.Disk, DiskFormat: spec.DiskFormat,
		Net:        vm.UserNet{SSHPort: in.sshPort, Network: network, Forwards: forwards},
		PrivateNet: nw.hub.Path(), PrivateMAC: in.mac,
		SMBIOS: spec.SMBIOS, ConsoleFile: console, Extra: extra,
	})
	if err != nil {
		return fail(err)
	}
	b.mu.Lock()
	b.instances[spec.ID] = in
	if spec.PublicIP != "" {
		b.byIP[spec.PublicIP] = in
	}
	b.mu.Unlock()
	go func() {
		<-in.m.Exited()
		b.mu.Lock()
		byItself := !in.stopping
		b.mu.Unlock()
		if !byItself {
			return
		}
		// Said here because some clouds have no console API (DigitalOcean):
		// the end of the console is what tells why.
		con := in.m.Console()
		b.log.Warn("instance stopped by itself", "id", spec.ID, "why", in.m.Why(1), "console_tail", con[max(0, len(con)-consoleTail):])
		if spec.OnExit != nil {
			spec.OnExit()
		}
	}()
	b.log.Info("instance booting", "id", spec.ID, "public_ip", spec.PublicIP, "ssh_forward", in.sshPort, "pid", in.m.Pid())
	return in, nil
}

// network is a private network: its hub and its DHCP server.
type network struct {
	hub  *vm.Hub
	dhcp *dhcpServer
}

// network is the private network of a name, made on first use. b.mu must
// be held.
func (b *Box) network(name string) (*network, error) {
	if nw, ok := b.networks[name]; ok {
		return nw, nil
	}
	dir := filepath.Join(b.cfg.Dir, "networks", fmt.Sprintf("n%d", len(b.networks)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("private network %q: %w", name, err)
	}
	h, err := vm.NewHub(dir)
	if err != nil {
		return nil, fmt.Errorf("private network %q: %w", name, err)
	}
	nw := &network{hub: h, dhcp: newDHCPServer(h)}
	b.networks[name] = nw
	return nw, nil
}

// macFor is a locally administered MAC address stable for an instance ID.
func macFor(id string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(id); i++ {
		h = (h ^ uint32(id[i])) * 16777619
	}
	return fmt.Sprintf("52:54:%02x:%02x:%02x:%02x", byte(h>>24), byte(h>>16), byte(h>>8), byte(h))
}

// Console is the instance's serial console so far (the box keeps the
// last vm.MaxConsole bytes; a cloud's console API keeps less).
func (in *Instance) Console() string { return in.m.Console() }

// Disc is the file of the disc in the instance's CD-ROM drive (Spec.Media),
// or "".
func (in *Instance) Disc() string { return in.disc }

// Exited is closed when the instance's machine has stopped (powered off,
// crashed or stopped by the box).
func (in *Instance) Exited() <-chan struct{} { return in.m.Exited() }

// Why says why a stopped instance stopped.
func (in *Instance) Why() string { return in.m.Why(3) }

// stop ends the machine and its services and removes its files.
func (in *Instance) stop(ctx context.Context) error {
	var err error
	if in.m != nil {
		err = in.m.Stop(ctx)
	}
	if in.net != nil {
		in.net.dhcp.remove(in.mac)
	}
	for _, srv := range in.services {
		_ = srv.Close()
	}
	if in.consoleFile != nil {
		in.consoleFile.Close()
	}
	for _, d := range in.shortDirs {
		err = errors.Join(err, os.RemoveAll(d))
	}
	return errors.Join(err, os.RemoveAll(in.dir))
}

// Instance returns a booted instance by ID.
func (b *Box) Instance(id string) (*Instance, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	in, ok := b.instances[id]
	return in, ok
}

// Stop ends an instance (a cloud's terminate); stopping one the box does
// not run is not an error.
func (b *Box) Stop(ctx context.Context, id string) error {
	b.mu.Lock()
	in, ok := b.instances[id]
	if ok {
		in.stopping = true
		delete(b.instances, id)
		if b.byIP[in.spec.PublicIP] == in {
			delete(b.byIP, in.spec.PublicIP)
		}
	}
	b.mu.Unlock()
	if !ok {
		return nil
	}
	b.log.Info("instance stopped", "id", id)
	return in.stop(ctx)
}

// Crash kills an instance's QEMU as a crash would: the instance stays
// the box's until Stop, and its OnExit is called. For tests of what a
// cloud does when a machine dies under it.
func (b *Box) Crash(id string) error {
	in, ok := b.Instance(id)
	if !ok {
		return fmt.Errorf("cloud-in-a-box: no instance %s", id)
	}
	in.m.Kill()
	return nil
}

// Running lists the IDs of the instances the box runs, sorted: what a
// leak check looks at.
func (b *Box) Running() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := make([]string, 0, len(b.instances))
	for id := range b.instances {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Close stops every instance, the private networks and the proxy.
func (b *Box) Close() error {
	b.mu.Lock()
	b.closed = true
	ids := make([]string, 0, len(b.instances))
	for id := range b.instances {
		ids = append(ids, id)
	}
	networks := b.networks
	b.networks = map[string]*network{}
	b.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var err error
	for _, id := range ids {
		err = errors.Join(err, b.Stop(ctx, id))
	}
	for _, nw := range networks {
		err = errors.Join(err, nw.hub.Close())
	}
	return errors.Join(err, b.proxy.Close())
}
