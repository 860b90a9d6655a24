package sshclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// DialOptions say how to reach a machine.
type DialOptions struct {
	User   string
	Signer ssh.Signer
	// AttemptTimeout bounds one TCP connect plus handshake; default 10s.
	AttemptTimeout time.Duration
	// RetryInterval is the pause between attempts; default 1s.
	RetryInterval time.Duration
	// BannerTimeout bounds the wait for the server's first bytes (its SSH
	// version line, sent at once by a live sshd); default 2s. Forwarders
	// (QEMU's user network, cloud load balancers) accept a connection
	// before the machine listens and then hold it; a fresh attempt gets
	// through sooner than waiting on such a connection.
	BannerTimeout time.Duration
	// Wake, if set, receives when the machine says its SSH server has
	// just started listening (e.g. a line on its console). An attempt
	// that has not heard the server yet is dropped and a new one made at
	// once: a forwarder may hold a connection made before the server
	// listened until BannerTimeout, and the pause between attempts is
	// skipped. A stale wake costs one extra attempt. Before the first
	// wake an attempt is held as long as AttemptTimeout; after it, an
	// attempt waits longer for the banner (patientBanner): the server
	// is there, so a slow banner means a busy machine, and a fresh
	// attempt would only add an sshd to its load. Set Wake only for a
	// machine that says so.
	Wake <-chan struct{}
	// Dialer opens the connections; default a net.Dialer (see
	// ProxyDialer).
	Dialer ContextDialer
	// HostKeyCallback defaults to accepting any key: test machines are
	// created by the flight a moment before and their host keys are new.
	HostKeyCallback ssh.HostKeyCallback
}

// DialError is returned when a machine did not answer SSH in time.
type DialError struct {
	Addr     string
	User     string
	Attempts int
	Elapsed  time.Duration
	Last     error
}

func (e *DialError) Error() string {
	return fmt.Sprintf("ssh %s@%s: no connection after %d attempts in %v: %v", e.User, e.Addr, e.Attempts, e.Elapsed.Round(time.Millisecond), e.Last)
}

func (e *DialError) Unwrap() error { return e.Last }

// Dial connects to addr, retrying refused connections, timeouts and failed
// handshakes (sshd not up yet) until ctx ends. Authentication failures are
// retried too, since cloud-init may install the key after sshd starts.
func Dial(ctx context.Context, addr string, opts DialOptions) (*ssh.Client, error) {
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = 10 * time.Second
	}
	if opts.RetryInterval <= 0 {
		opts.RetryInterval = time.Second
	}
	if opts.BannerTimeout <= 0 {
		opts.BannerTimeout = 2 * time.Second
	}
	if opts.HostKeyCallback == nil {
		opts.HostKeyCallback = ssh.InsecureIgnoreHostKey()
	}
	if opts.Signer == nil {
		return nil, errors.New("ssh dial: no key")
	}
	cfg := &ssh.ClientConfig{
		User:            opts.User,
		Auth:            []ssh.AuthMethod{ssh.PublicKeys(opts.Signer)},
		HostKeyCallback: opts.HostKeyCallback,
		Timeout:         opts.AttemptTimeout,
	}
	wctx, stopWaker := context.WithCancel(ctx)
	defer stopWaker()
	wake := newWaker(wctx, opts.Wake)
	start := time.Now()
	attempts := 0
	var last error
	for {
		attempts++
		// Doubling every 8 attempts keeps a short banner timeout from
		// locking out a machine too loaded to answer within it.
		banner := min(opts.BannerTimeout<<((attempts-1)/8), opts.AttemptTimeout)
		switch {
		case wake == nil:
		case !wake.ever():
			// The machine will say when its server listens: until then
			// one attempt at a time is enough. Quick ones would each be
			// a connection the forwarder may still hand to the machine
			// once its network is up, and an sshd started for nothing.
			banner = opts.AttemptTimeout
		default:
			banner = min(max(banner, patientBanner*opts.BannerTimeout), opts.AttemptTimeout)
		}
		client, err := dialOnce(ctx, opts.Dialer, addr, cfg, banner, wake)
		if err == nil {
			return client, nil
		}
		// An attempt cut short by the end of ctx says nothing about the
		// machine; the one before it (say, a refused key) says more. The
		// connection's deadline is ctx's, and its timer can fire before
		// ctx's own marks ctx done: so the clock decides, not ctx.Err.
		if last == nil || !cutShort(ctx) {
			last = err
		}
		select {
		case <-ctx.Done():
			if cause := context.Cause(ctx); cause != nil && !errors.Is(last, cause) {
				last = fmt.Errorf("%w (last attempt: %v)", cause, last)
			}
			return nil, &DialError{Addr: addr, User: opts.User, Attempts: attempts, Elapsed: time.Since(start), Last: last}
		case <-wake.woken():
		case <-time.After(opts.RetryInterval):
		}
	}
}

// patientBanner multiplies the banner timeout once the machine has said
// its server listens. Not the whole attempt timeout: the line can come a
// moment before the machine's network is, and a forwarder may hold an
// attempt made then. Under emulation sshd on a booting machine took up
// to 2 s to greet; a 500 ms timeout retried it a dozen times.
const patientBanner = 8

// cutShort reports whether ctx has ended or reached its deadline.
func cutShort(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

func dialOnce(ctx context.Context, d ContextDialer, addr string, cfg *ssh.ClientConfig, bannerTimeout time.Duration, wake *waker) (*ssh.Client, error) {
	actx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if d == nil {
		d = &net.Dialer{}
	}
	raw, err := d.DialContext(actx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	// The handshake has no context; deadlines on the conn bound it: a short
	// one until the server says anything, then the attempt's.
	deadline, _ := actx.Deadline()
	conn := &bannerConn{Conn: raw, deadline: deadline}
	if err := raw.SetDeadline(earliest(deadline, time.Now().Add(bannerTimeout))); err != nil {
		raw.Close()
		return nil, err
	}
	stop := wake.onWake(func() {
		if !conn.heard.Load() {
			raw.Close()
		}
	})
	// An attempt held for a long banner timeout still ends with ctx.
	stopCancel := context.AfterFunc(actx, func() { raw.Close() })
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	stopCancel()
	stop()
	if err != nil {
		conn.Close()
		return nil, err
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		c.Close()
		return nil, err
	}
	return ssh.NewClient(c, chans, reqs), nil
}

// bannerConn lifts the short banner deadline once the server has sent
// its first bytes.
type bannerConn struct {
	net.Conn
	deadline time.Time
	heard    atomic.Bool
}

func (c *bannerConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 && !c.heard.Load() {
		c.heard.Store(true)
		if derr := c.Conn.SetDeadline(c.deadline); derr != nil && err == nil {
			err = derr
		}
	}
	return n, err
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
