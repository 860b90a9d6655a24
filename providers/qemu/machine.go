package qemu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/consolecheck"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
	"github.com/strata-os/strata/providers/qemu/vm"
)

type machine struct {
	platform.SSHMachine
	cluster   *cluster
	id        string
	index     int
	privateIP string
	userdata  conf.Rendered
	dir       string

	vm     *vm.Machine
	exited <-chan struct{} // closed when QEMU has exited
	// tpm is the machine's swtpm (--qemu-tpm); tpmExited gets its end.
	tpm         *exec.Cmd
	tpmExited   chan error
	consoleFile *os.File // the live console.txt

	// fatal is closed on the first fatal console match (a kernel panic,
	// firmware that will not boot the image), recorded in fatalMatch.
	fatal      chan struct{}
	fatalOnce  sync.Once
	fatalMatch consolecheck.Match

	mu        sync.Mutex
	destroyed bool
	bootErr   error // why the machine never came up
}

func (m *machine) ID() string        { return m.id }
func (m *machine) IP() string        { return "127.0.0.1" }
func (m *machine) PrivateIP() string { return m.privateIP }
func (m *machine) ConsoleOutput(context.Context) string {
	if m.vm == nil {
		return ""
	}
	return m.vm.Console()
}

// start launches QEMU and waits for SSH. The machine joins the cluster as
// soon as QEMU runs, so a machine that fails to boot is still destroyed,
// and its console saved, by the cluster.
func (m *machine) start(ctx context.Context) error {
	c, f := m.cluster, m.cluster.flight
	m.dir = filepath.Join(c.dir, m.id)
	if err := os.MkdirAll(m.dir, 0o755); err != nil {
		return platform.Infra("machine temp dir", err)
	}
	port, err := vm.FreePort()
	if err != nil {
		return platform.Infra("pick an SSH port", err)
	}
	cfg, err := m.config(port)
	if err != nil {
		m.stopTPM()
		return err
	}
	if dir, err := c.MachineDir(m.id); err == nil && dir != "" {
		if live, err := os.Create(filepath.Join(dir, "console.txt")); err == nil {
			m.consoleFile = live
			cfg.ConsoleFile = live
		}
	}
	m.fatal = make(chan struct{})
	watcher := &consolecheck.Watcher{Disabled: c.Opts.DisabledChecks, OnMatch: m.onConsole}
	ready := newReadySignal(f.image.SSHReadyLine)
	cfg.Console = []io.Writer{watcher, ready}
	m.vm, err = vm.Start(cfg)
	if err != nil {
		m.stopTPM()
		return platform.Infra("machine "+m.id, err)
	}
	m.exited = m.vm.Exited()
	m.SSHMachine = platform.SSHMachine{
		Addr:        net.JoinHostPort("127.0.0.1", strconv.Itoa(port)),
		User:        f.image.SSHUser,
		Key:         f.SSHKey(),
		DialTimeout: f.flags.BootTimeout,
		DialRetry:   100 * time.Millisecond,
		DialBanner:  500 * time.Millisecond,
		Wake:        ready.wakes(),
		Down:        m.down,
		Gone:        m.exited,
	}
	c.AddMachine(m)

	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	wctx, cancelTimeout := context.WithTimeoutCause(wctx, f.flags.BootTimeout,
		fmt.Errorf("no SSH within the boot timeout of %v (see console.txt)", f.flags.BootTimeout))
	defer cancelTimeout()
	go func() {
		select {
		case <-m.exited:
			cancel(m.down())
		case <-m.fatal:
			cancel(errors.New(m.fatalMatch.Explain()))
		case <-wctx.Done():
		}
	}()
	if _, err := m.SSHClient(wctx); err != nil {
		if cause := context.Cause(wctx); cause != nil {
			err = cause
		}
		if strings.Contains(m.vm.Stderr(), "host forwarding") {
			err = platform.Infra("machine "+m.id, fmt.Errorf("QEMU could not forward SSH port %d: %s", port, m.vm.Stderr()))
		} else {
			err = fmt.Errorf("machine %s did not come up: %w", m.id, err)
		}
		m.mu.Lock()
		m.bootErr = err
		m.mu.Unlock()
		return err
	}
	return nil
}

// config is the machine as package vm runs it.
func (m *machine) config(port int) (vm.Config, error) {
	c, f := m.cluster, m.cluster.flight
	img := f.image
	accel := f.accel
	if accel == "tcg" && f.cpus > 1 {
		accel = "tcg,thread=multi"
	}
	shape := c.Opts.Shape
	if err := f.CheckShape(shape); err != nil {
		return vm.Config{}, fmt.Errorf("machine %s: %w", m.id, err)
	}
	diskSize, err := f.rootDiskSize(shape)
	if err != nil {
		return vm.Config{}, fmt.Errorf("machine %s: %w", m.id, err)
	}
	cfg := vm.Config{
		Binary: f.flags.Binary, Name: m.id, Dir: m.dir,
		Accel: accel, CPUs: f.cpus, MemoryMiB: max(f.flags.Memory, img.MinMemoryMiB, shape.MinMemoryMiB),
		DiskSize: diskSize, ExtraNICs: shape.AdditionalNICs,
		Firmware: f.flags.Firmware, OVMFDir: f.flags.OVMFDir,
		Disk: img.Disk, DiskFormat: f.diskFormat,
		Net:        vm.UserNet{SSHPort: port},
		PrivateNet: c.hub.Path(), PrivateMAC: fmt.Sprintf("52:54:00:77:00:%02x", m.index%256),
		Detachable: f.keep,
	}
	if img.Kernel != "" {
		cfg.Kernel, cfg.Initrd, cfg.Cmdline = img.Kernel, img.Initrd, images.CmdlineForCPUs(img.Cmdline, f.cpus)
		if shape.KernelArgs != "" {
			cfg.Cmdline += " " + shape.KernelArgs
		}
		cfg.FirstbootCmdline = shape.FirstbootKernelArgs
	}
	var args []string
	if f.flags.TPM {
		tpm, err := m.startTPM()
		if err != nil {
			return cfg, err
		}
		args = append(args, tpm...)
	}
	if img.UserData == "cloud-init" {
		if m.userdata.Kind == conf.KindIgnition {
			return cfg, fmt.Errorf("machine %s: the %s image takes cloud-config or scripts through cloud-init, not Ignition", m.id, img.Name)
		}
		seed := filepath.Join(m.dir, "cidata.iso")
		if err := writeCIData(seed, cidata{InstanceID: m.id, Hostname: m.hostname(), PublicKeys: c.MetadataSSHKeys(),
			UserData: m.userdata.Data, PrivateAddress: m.privateIP + "/24"}); err != nil {
			return cfg, platform.Infra("cloud-init seed", err)
		}
		args = append(args, "-drive", "if=virtio,format=raw,readonly=on,file="+seed)
	} else if err := m.fwCfgArgs(&args); err != nil {
		return cfg, err
	}
	// The test's own disks come first, so that a test finds them where it
	// asked (the second disk is its first) whatever --qemu-disk adds.
	disks := append(append([]string(nil), c.Opts.AdditionalDisks...), f.flags.Disks...)
	for i, size := range disks {
		p := filepath.Join(m.dir, fmt.Sprintf("disk%d.qcow2", i+1))
		out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", p, size).CombinedOutput()
		if err != nil {
			return cfg, fmt.Errorf("machine %s: disk %d of %s: qemu-img create: %v: %s", m.id, i+1, size, err, bytes.TrimSpace(out))
		}
		args = append(args, "-drive", "if=virtio,format=qcow2,file="+p)
	}
	cfg.Extra = args
	return cfg, nil
}

// hostname is the machine ID made fit for DNS.
func (m *machine) hostname() string {
	return strings.Trim(hostnameUnsafe.ReplaceAllString(strings.ToLower(m.id), "-"), "-")
}

var hostnameUnsafe = regexp.MustCompile(`[^a-z0-9-]+`)

// fwCfgArgs passes keys, hostname, network and userdata the way the
// minimal image (and Ignition images) take them.
func (m *machine) fwCfgArgs(argsp *[]string) error {
	c, img := m.cluster, m.cluster.flight.image
	args := append(*argsp,
		"-fw_cfg", "name=opt/strata/hostname,string="+m.hostname(),
		"-fw_cfg", "name=opt/strata/network,string=eth1 "+m.privateIP+"/24",
	)
	defer func() { *argsp = args }()
	if keys := c.MetadataSSHKeys(); len(keys) > 0 {
		p := filepath.Join(m.dir, "authorized_keys")
		if err := os.WriteFile(p, []byte(strings.Join(keys, "\n")+"\n"), 0o600); err != nil {
			return platform.Infra("write keys", err)
		}
		args = append(args, "-fw_cfg", "name=opt/strata/authorized_keys,file="+p)
	}
	if len(m.userdata.Data) > 0 {
		p := filepath.Join(m.dir, "userdata")
		if err := os.WriteFile(p, m.userdata.Data, 0o600); err != nil {
			return platform.Infra("write userdata", err)
		}
		switch m.userdata.Kind {
		case conf.KindScript:
			if img.UserData == "ignition" {
				return fmt.Errorf("machine %s: the %s image is configured by Ignition only; give it Ignition or Butane userdata, not a script", m.id, img.Name)
			}
		}
		switch m.userdata.Kind {
		case conf.KindIgnition:
			// CoreOS reads the first name, Flatcar the second.
			args = append(args, "-fw_cfg", "name=opt/com.coreos/config,file="+p, "-fw_cfg", "name=opt/org.flatcar-linux/config,file="+p)
		case conf.KindScript:
			args = append(args, "-fw_cfg", "name=opt/strata/userdata,file="+p)
		default:
			return fmt.Errorf("machine %s: %s userdata needs an image with cloud-init (--qemu-image debian); the %s image takes scripts and Ignition", m.id, m.userdata.Kind, img.Name)
		}
	}
	return nil
}

// onConsole ends a machine the console says is finished (its kernel
// panicked, its firmware will not boot the image): it will not recover,
// and the test should fail now, not at its timeout.
func (m *machine) onConsole(match consolecheck.Match) {
	if !match.Fatal() {
		return
	}
	m.fatalOnce.Do(func() {
		m.fatalMatch = match
		close(m.fatal)
	})
	m.kill()
}

// down reports why the machine is not running (or never came up), or nil.
func (m *machine) down() error {
	m.mu.Lock()
	bootErr := m.bootErr
	m.mu.Unlock()
	if bootErr != nil {
		return bootErr
	}
	// A panicked machine is dead even while its QEMU is still exiting.
	select {
	case <-m.fatal:
		return fmt.Errorf("machine %s is down: %s", m.id, m.fatalMatch.Explain())
	default:
	}
	select {
	case <-m.exited:
	default:
		return nil
	}
	return fmt.Errorf("machine %s is down: %s", m.id, m.vm.Why(consoleTailLines))
}

// consoleTailLines is how much of the console a machine's death quotes.
const consoleTailLines = 3

func (m *machine) kill() {
	if m.vm != nil {
		m.vm.Kill()
	}
}

// Destroy kills QEMU and removes the machine's temporary files.
func (m *machine) Destroy(ctx context.Context) error {
	m.mu.Lock()
	if m.destroyed {
		m.mu.Unlock()
		return nil
	}
	m.destroyed = true
	m.mu.Unlock()
	m.Close()
	var err error
	if m.vm != nil {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		if serr := m.vm.Stop(sctx); serr != nil {
			err = fmt.Errorf("machine %s: %w", m.id, serr)
		}
		cancel()
	}
	m.stopTPM()
	if m.consoleFile != nil {
		m.consoleFile.Close()
	}
	return errors.Join(err, os.RemoveAll(m.dir))
}
