package platform

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/strata-os/strata/core/sshclient"
	"golang.org/x/crypto/ssh"
)

// SSHMachine implements the SSH side of Machine (SSHClient, SSH, CopyFile,
// Reboot, Journal) for any machine reachable at an address. Providers embed
// it and add ID, addresses, console and Destroy.
type SSHMachine struct {
	Addr string // host:port
	User string
	Key  *sshclient.KeyPair
	// DialTimeout bounds waiting for SSH (boot, reboot); default 5 minutes.
	DialTimeout time.Duration
	// DialRetry is the pause between dial attempts and DialBanner the
	// wait for a live sshd's first bytes (see sshclient.DialOptions);
	// local machines use less than the defaults, so a boot is noticed as
	// soon as sshd listens.
	DialRetry  time.Duration
	DialBanner time.Duration
	// Wake, if set, receives when the machine says its SSH server has
	// started listening; a dial in progress tries again at once (see
	// sshclient.DialOptions.Wake).
	Wake <-chan struct{}
	// Down, if set, reports a machine known to be dead (its process exited);
	// its error is returned instead of dialing until DialTimeout.
	Down func() error
	// Gone, if set, is closed when the machine dies; a dial in progress
	// stops then, with Down's error.
	Gone <-chan struct{}
	// Dialer, if set, opens the connections (a proxy's: FlightOptions.SSHProxy).
	Dialer sshclient.ContextDialer

	mu     sync.Mutex
	client *ssh.Client
}

// SSHTarget is the user and host:port to reach the machine with ssh(1).
func (m *SSHMachine) SSHTarget() (user, hostport string) { return m.User, m.Addr }

// SSHTargeter is implemented by machines that can say how a person reaches
// them with ssh(1); kola spawn and --ssh-on-failure print it.
type SSHTargeter interface {
	SSHTarget() (user, hostport string)
}

// SSHClient returns the cached connection if it is alive, or dials.
func (m *SSHMachine) SSHClient(ctx context.Context) (*ssh.Client, error) {
	m.mu.Lock()
	c := m.client
	m.mu.Unlock()
	if c != nil {
		// A connection to a machine that vanished behind a NAT would
		// never answer: Alive gives up on it in bounded time.
		if sshclient.Alive(c) {
			return c, nil
		}
		c.Close()
	}
	if m.Down != nil {
		if err := m.Down(); err != nil {
			return nil, err
		}
	}
	timeout := m.DialTimeout
	if timeout <= 0 {
		timeout = 5 * time.Minute
	}
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if m.Gone != nil {
		gctx, gcancel := context.WithCancelCause(dctx)
		defer gcancel(nil)
		go func() {
			select {
			case <-m.Gone:
				gcancel(m.downErr())
			case <-gctx.Done():
			}
		}()
		dctx = gctx
	}
	c, err := sshclient.Dial(dctx, m.Addr, sshclient.DialOptions{User: m.User, Signer: m.Key.Signer, RetryInterval: m.DialRetry, BannerTimeout: m.DialBanner, Wake: m.Wake, Dialer: m.Dialer})
	if err != nil {
		if cause := context.Cause(dctx); cause != nil && m.Gone != nil && isClosed(m.Gone) {
			return nil, cause
		}
		return nil, err
	}
	m.mu.Lock()
	m.client = c
	m.mu.Unlock()
	return c, nil
}

func (m *SSHMachine) downErr() error {
	if m.Down != nil {
		if err := m.Down(); err != nil {
			return err
		}
	}
	return fmt.Errorf("machine at %s is gone", m.Addr)
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// SSH runs cmd on the machine.
func (m *SSHMachine) SSH(ctx context.Context, cmd string) ([]byte, []byte, error) {
	c, err := m.SSHClient(ctx)
	if err != nil {
		return nil, nil, err
	}
	return sshclient.Output(ctx, c, cmd)
}

// CopyFile writes src to dst on the machine.
func (m *SSHMachine) CopyFile(ctx context.Context, src io.Reader, dst string, mode fs.FileMode) error {
	c, err := m.SSHClient(ctx)
	if err != nil {
		return err
	}
	return sshclient.CopyFile(ctx, c, src, dst, mode)
}

// asRoot prefixes cmd with sudo unless the SSH user is root.
func (m *SSHMachine) asRoot(cmd string) string {
	if m.User == "root" {
		return cmd
	}
	return "sudo " + cmd
}

// BootID returns the machine's current boot ID.
func (m *SSHMachine) BootID(ctx context.Context) (string, error) {
	out, _, err := m.SSH(ctx, "cat /proc/sys/kernel/random/boot_id")
	if err != nil {
		return "", fmt.Errorf("read boot id: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Reboot asks the machine to reboot, waits for SSH to come back and checks
// that the boot ID changed, so a reboot that did not happen fails.
func (m *SSHMachine) Reboot(ctx context.Context) error {
	before, err := m.BootID(ctx)
	if err != nil {
		return fmt.Errorf("reboot %s: %w", m.Addr, err)
	}
	// Detach, so the SSH session ends cleanly before the machine goes down.
	_, _, err = m.SSH(ctx, m.asRoot("sh -c '(sleep 1; systemctl reboot || reboot) >/dev/null 2>&1 &'"))
	if err != nil {
		return fmt.Errorf("reboot %s: %w", m.Addr, err)
	}
	m.mu.Lock()
	if m.client != nil {
		m.client.Close()
		m.client = nil
	}
	m.mu.Unlock()
	for {
		after, err := m.BootID(ctx)
		if err == nil && after != before {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("reboot %s: machine did not come back with a new boot: %w", m.Addr, context.Cause(ctx))
		}
		m.mu.Lock()
		if m.client != nil { // still the old boot: drop it and wait
			m.client.Close()
			m.client = nil
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// Journal returns the journal of every boot the machine kept.
func (m *SSHMachine) Journal(ctx context.Context) ([]byte, error) {
	out, _, err := m.SSH(ctx, "command -v journalctl >/dev/null 2>&1 || exit 127; "+m.asRoot("journalctl --no-pager -o short-monotonic --merge"))
	if ee, ok := err.(*sshclient.ExitError); ok && ee.Status == 127 {
		return nil, ErrNoJournal
	}
	if err != nil {
		return nil, fmt.Errorf("journal of %s: %w", m.Addr, err)
	}
	return bytes.Clone(out), nil
}

// Close drops the SSH connection.
func (m *SSHMachine) Close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.client != nil {
		m.client.Close()
		m.client = nil
	}
}
