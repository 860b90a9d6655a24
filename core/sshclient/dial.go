package sshclient

import (
	"context"
	"errors"
	"fmt"
	"net"
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
	start := time.Now()
	attempts := 0
	var last error
	for {
		attempts++
		client, err := dialOnce(ctx, addr, cfg)
		if err == nil {
			return client, nil
		}
		last = err
		select {
		case <-ctx.Done():
			if cause := context.Cause(ctx); cause != nil && !errors.Is(last, cause) {
				last = fmt.Errorf("%w (last attempt: %v)", cause, last)
			}
			return nil, &DialError{Addr: addr, User: opts.User, Attempts: attempts, Elapsed: time.Since(start), Last: last}
		case <-time.After(opts.RetryInterval):
		}
	}
}

func dialOnce(ctx context.Context, addr string, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	actx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(actx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	// The handshake has no context; a deadline on the conn bounds it.
	deadline, _ := actx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, err
	}
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
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
