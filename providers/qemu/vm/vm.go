// Package vm runs one QEMU machine: its command line, its process, its
// serial console, its private network and the guest addresses forwarded
// to the host. The qemu provider's machines are made with it, and so are
// the simulated clouds' instances (cloud-in-a-box), which boot the disks
// users uploaded: one piece of machinery, so that a fix to how strata
// runs QEMU reaches both.
package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// Config is one machine.
type Config struct {
	// Binary is QEMU; default qemu-system-x86_64.
	Binary string
	// Name is QEMU's -name, shown in ps.
	Name string
	// Dir holds the machine's files (the disk overlay, the UEFI variable
	// store); it must exist.
	Dir string
	// Accel is kvm, tcg or tcg,thread=multi; default tcg.
	Accel     string
	CPUs      int // default 1
	MemoryMiB int // default 512
	// Firmware is bios (QEMU's SeaBIOS, the default), uefi or uefi-secure
	// (OVMF from OVMFDir, default /usr/share/OVMF).
	Firmware string
	OVMFDir  string
	// Disk, if set, is booted through a qcow2 overlay in Dir, so that it
	// is never written; DiskFormat is its format (qcow2, raw, vmdk, vpc).
	// DiskSize, if set, is the overlay's size in bytes (a disk grown for
	// the guest; never less than Disk's).
	Disk, DiskFormat string
	DiskSize         int64
	// Kernel, Initrd and Cmdline boot a kernel directly.
	Kernel, Initrd, Cmdline string
	// Net is the first card: QEMU's user network.
	Net UserNet
	// PrivateNet, if set, is a Hub's socket the second card joins, with
	// PrivateMAC.
	PrivateNet, PrivateMAC string
	// ExtraNICs are more cards after those, each on a user network of
	// its own (10.0.10.0/24, 10.0.11.0/24, …) with DHCP.
	ExtraNICs int
	// SMBIOS are -smbios values ("type=1,manufacturer=…"), which the guest
	// reads to know what it runs on, as on a cloud.
	SMBIOS []string
	// Extra are more arguments (drives, fw_cfg, devices).
	Extra []string
	// Console gets the serial console as it arrives, beside the
	// machine's own buffer.
	Console []io.Writer
	// ConsoleFile, if set, gets every byte of the console (the buffer
	// keeps the last MaxConsole).
	ConsoleFile io.Writer
	// FirstbootCmdline, if set, is added to Cmdline for the first boot
	// only (coreos-assembler's appendFirstbootKernelArgs): when the guest
	// reboots, QEMU is started again on the same disk with Cmdline alone
	// (see firstboot.go). A detached machine still in its first boot
	// stops at its reboot, with no one left to start it again.
	FirstbootCmdline string
	// Detachable machines can be left running after this process exits
	// (Machine.Detach; see detach.go); until then they die with it as
	// the others do. QEMU writes their console into ConsoleLog(cfg).
	Detachable bool
}

// UserNet is QEMU's user-mode network (slirp): no root needed.
type UserNet struct {
	// SSHPort, if set, forwards the host's 127.0.0.1:SSHPort to the
	// guest's port 22.
	SSHPort int
	// Network is the guest's network (QEMU's default 10.0.2.0/24). A
	// forwarded guest address must be inside it.
	Network string
	// Forwards are guest addresses answered by the host.
	Forwards []Forward
}

// Forward makes the guest's connections to Addr (host:port, inside the
// user network) reach the unix socket Socket: each connection is relayed
// by a process of its own (see relay.go), as QEMU's guestfwd runs a
// command per connection.
type Forward struct {
	Addr, Socket string
}

// Machine is a running QEMU.
type Machine struct {
	mu sync.Mutex
	// cmd is the running QEMU: after a first boot of its own
	// (Config.FirstbootCmdline) and the guest's reboot, the second one.
	cmd *exec.Cmd
	// killed says Kill was called: a first boot's QEMU is not started
	// again.
	killed   bool
	detached bool // started Detachable: its console goes through a file
	exited   chan struct{}
	exitErr  error
	stderr   lockedBuffer
	console  *Console
	guard    *guard // detachable machines'
}

// Start starts QEMU. The machine runs in its own process group and is
// killed if this process dies, even by SIGKILL.
func Start(cfg Config) (*Machine, error) {
	if cfg.FirstbootCmdline != "" && cfg.Kernel == "" {
		return nil, errors.New("a first boot's own command line needs a kernel that QEMU boots (Config.Kernel)")
	}
	args, err := Args(cfg)
	if err != nil {
		return nil, err
	}
	binary := cfg.Binary
	if binary == "" {
		binary = "qemu-system-x86_64"
	}
	m := &Machine{console: &Console{File: cfg.ConsoleFile}, exited: make(chan struct{}), detached: cfg.Detachable}
	writers := append([]io.Writer{m.console}, cfg.Console...)
	write := func(p []byte) {
		for _, w := range writers {
			_, _ = w.Write(p)
		}
	}
	flush := func() {
		for _, w := range writers {
			if f, ok := w.(interface{ Flush() }); ok {
				f.Flush()
			}
		}
	}
	var log string
	if cfg.Detachable {
		log = ConsoleLog(cfg)
		if err := os.WriteFile(log, nil, 0o644); err != nil {
			return nil, fmt.Errorf("start QEMU: console file: %w", err)
		}
		if m.guard, err = startGuard(); err != nil {
			return nil, err
		}
	}
	first, fb := args, (*firstBoot)(nil)
	if cfg.FirstbootCmdline != "" {
		if fb, err = newFirstBoot(); err != nil {
			_ = m.releaseGuard()
			return nil, err
		}
		first = fb.args(args, cfg.Cmdline+" "+cfg.FirstbootCmdline)
	}
	run, err := m.launch(binary, first, fb, write)
	if fb != nil {
		fb.started(m, err)
	}
	if err != nil {
		_ = m.releaseGuard()
		return nil, err
	}
	procsDone := make(chan struct{})
	go func() {
		err := <-run
		if fb != nil && fb.reset() && err == nil && !m.wasKilled() {
			// The guest rebooted out of its first boot: the same disk
			// again, with the command line of every other boot.
			var again <-chan error
			if again, err = m.launch(binary, args, nil, write); err != nil {
				err = fmt.Errorf("start QEMU again after the first boot's reboot: %w", err)
			} else {
				err = <-again
			}
		}
		m.exitErr = err
		close(procsDone)
	}()
	go func() {
		if cfg.Detachable {
			tail(log, procsDone, write)
		} else {
			<-procsDone
		}
		flush()
		close(m.exited)
	}()
	return m, nil
}

// launch starts one QEMU process with args and returns how it exits,
// once its console is read (a detachable machine's console is tailed
// from its file by Start instead). fb, if set, gets its end of the
// machine protocol.
func (m *Machine) launch(binary string, args []string, fb *firstBoot, write func([]byte)) (<-chan error, error) {
	cmd := exec.Command(binary, args...)
	cmd.Stderr = &m.stderr
	if fb != nil {
		cmd.ExtraFiles = []*os.File{fb.theirs} // fd 3, as fb.args says
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.killed {
		return nil, errors.New("start QEMU: the machine was stopped")
	}
	done := make(chan error, 1)
	if m.detached {
		cmd.SysProcAttr = &unix.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("start QEMU: %w", err)
		}
		if err := m.guard.watch(cmd.Process.Pid); err != nil {
			_ = unix.Kill(-cmd.Process.Pid, unix.SIGKILL)
			_ = cmd.Wait()
			return nil, fmt.Errorf("start QEMU: guard: %w", err)
		}
		m.cmd = cmd
		go func() { done <- cmd.Wait() }()
		return done, nil
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start QEMU: %w", err)
	}
	cmd.SysProcAttr = &unix.SysProcAttr{Setpgid: true, Pdeathsig: unix.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start QEMU: %w", err)
	}
	m.cmd = cmd
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				write(buf[:n])
			}
			if err != nil {
				break
			}
		}
		done <- cmd.Wait()
	}()
	return done, nil
}

func (m *Machine) wasKilled() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.killed
}

func (m *Machine) releaseGuard() error {
	if m.guard == nil {
		return nil
	}
	return m.guard.release()
}

// Pid is QEMU's process ID (the running one's, after a first boot of
// its own).
func (m *Machine) Pid() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cmd.Process.Pid
}

// Exited is closed when QEMU has exited and its console is read to the end.
func (m *Machine) Exited() <-chan struct{} { return m.exited }

// ExitErr is how QEMU exited (nil: the guest powered off); valid once
// Exited is closed.
func (m *Machine) ExitErr() error {
	select {
	case <-m.exited:
		return m.exitErr
	default:
		return nil
	}
}

// Stderr is what QEMU said (its first 64 KiB).
func (m *Machine) Stderr() string { return m.stderr.String() }

// Console is the serial console so far.
func (m *Machine) Console() string { return m.console.String() }

// Kill sends SIGKILL to QEMU's process group (QEMU and the relays it
// started).
func (m *Machine) Kill() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.killed = true
	if m.cmd != nil && m.cmd.Process != nil {
		_ = unix.Kill(-m.cmd.Process.Pid, unix.SIGKILL)
	}
}

// Stop kills QEMU and waits until it is gone, up to ctx's end.
func (m *Machine) Stop(ctx context.Context) error {
	m.Kill()
	select {
	case <-m.exited:
		_ = m.releaseGuard()
		return nil
	case <-ctx.Done():
		return fmt.Errorf("QEMU (pid %d) did not exit after SIGKILL: %w", m.Pid(), context.Cause(ctx))
	}
}

// Why says why a machine that exited did: the guest powered off, or QEMU
// failed with what it said; and how its console ended.
func (m *Machine) Why(consoleLines int) string {
	why := fmt.Sprintf("QEMU exited (%v)", m.ExitErr())
	if m.ExitErr() == nil {
		// A guest that gives up on its boot (Ignition failing a stage)
		// powers off; its console says why.
		why = "the guest powered off"
	}
	if msg := strings.TrimSpace(m.Stderr()); msg != "" {
		why += ": " + msg
	}
	if last := LastLines(m.Console(), consoleLines); last != "" {
		why += "; its console ends: " + last
	}
	return why
}

// ErrNoQEMU is returned by CheckBinary when QEMU is not installed.
var ErrNoQEMU = errors.New("QEMU not found")

// CheckBinary finds QEMU (default qemu-system-x86_64) on PATH.
func CheckBinary(binary string) (string, error) {
	if binary == "" {
		binary = "qemu-system-x86_64"
	}
	p, err := exec.LookPath(binary)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v (Debian: apt-get install qemu-system-x86 qemu-utils)", ErrNoQEMU, binary, err)
	}
	return p, nil
}
