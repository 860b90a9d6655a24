package sshclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"golang.org/x/crypto/ssh"
)

// ExitError is a command that ran and exited non-zero (or was killed by a
// signal, then Status is -1 and Signal names it).
type ExitError struct {
	Cmd    string
	Status int
	Signal string
	Stderr []byte // the tail of stderr, when the caller collected it
}

func (e *ExitError) Error() string {
	s := fmt.Sprintf("%q exited with status %d", e.Cmd, e.Status)
	if e.Signal != "" {
		s = fmt.Sprintf("%q killed by signal %s", e.Cmd, e.Signal)
	}
	if tail := strings.TrimSpace(string(e.Stderr)); tail != "" {
		if len(tail) > 2048 {
			tail = "..." + tail[len(tail)-2048:]
		}
		s += ": " + tail
	}
	return s
}

// Run runs cmd in a new session, streaming its output. When ctx ends the
// remote command is sent SIGKILL and the session closed, so a hung command
// cannot outlive its test; when the machine stops answering keepalives
// (it rebooted or died behind a NAT that keeps the connection open) the
// connection is closed and the error wraps ErrConnectionLost.
func Run(ctx context.Context, client *ssh.Client, cmd string, stdin io.Reader, stdout, stderr io.Writer) error {
	// Watched from the session request on: a machine that rebooted
	// behind a forwarder that keeps the connection open (QEMU's user
	// network) never answers that request either.
	stopWatch := make(chan struct{})
	defer close(stopWatch)
	lost := watch(client, stopWatch)
	sess, err := newSession(ctx, client, lost)
	if err != nil {
		return fmt.Errorf("ssh session for %q: %w", cmd, err)
	}
	defer sess.Close()
	sess.Stdin, sess.Stdout, sess.Stderr = stdin, stdout, stderr
	if err := sess.Start(cmd); err != nil {
		return fmt.Errorf("start %q: %w", cmd, err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case err = <-done:
		if err != nil {
			select {
			case lerr := <-lost: // the watchdog closed the connection
				return fmt.Errorf("run %q: %w", cmd, lerr)
			default:
			}
		}
	case err := <-lost:
		return fmt.Errorf("run %q: %w", cmd, err)
	case <-ctx.Done():
		_ = sess.Signal(ssh.SIGKILL)
		sess.Close()
		return fmt.Errorf("run %q: %w", cmd, context.Cause(ctx))
	}
	var ee *ssh.ExitError
	if errors.As(err, &ee) {
		return &ExitError{Cmd: cmd, Status: ee.ExitStatus(), Signal: ee.Signal()}
	}
	var missing *ssh.ExitMissingError
	if errors.As(err, &missing) {
		return fmt.Errorf("run %q: connection lost before the command exited: %w", cmd, err)
	}
	if err != nil {
		return fmt.Errorf("run %q: %w", cmd, err)
	}
	return nil
}

// newSession opens a session on client, giving up when ctx ends or the
// watchdog finds the connection lost (it then closes the connection,
// which ends the request). A session that opens after ctx ended is
// closed.
func newSession(ctx context.Context, client *ssh.Client, lost <-chan error) (*ssh.Session, error) {
	type opened struct {
		sess *ssh.Session
		err  error
	}
	ch := make(chan opened, 1)
	go func() {
		s, err := client.NewSession()
		ch <- opened{s, err}
	}()
	select {
	case o := <-ch:
		return o.sess, o.err
	case err := <-lost:
		return nil, err
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.sess != nil {
				o.sess.Close()
			}
		}()
		return nil, context.Cause(ctx)
	}
}

// Output runs cmd and returns its stdout and stderr; a non-zero exit is an
// *ExitError carrying stderr.
func Output(ctx context.Context, client *ssh.Client, cmd string) (stdout, stderr []byte, err error) {
	var o, e bytes.Buffer
	err = Run(ctx, client, cmd, nil, &o, &e)
	var ee *ExitError
	if errors.As(err, &ee) {
		ee.Stderr = e.Bytes()
	}
	return o.Bytes(), e.Bytes(), err
}

// Quote makes s one word for a POSIX shell.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// CopyFile writes src to dst on the machine with mode, through a temporary
// file renamed into place so a reader never sees half a file.
func CopyFile(ctx context.Context, client *ssh.Client, src io.Reader, dst string, mode fs.FileMode) error {
	tmp := path.Join(path.Dir(dst), "."+path.Base(dst)+".strata-tmp")
	cmd := fmt.Sprintf("cat > %s && chmod %o %s && mv -f %s %s", Quote(tmp), mode.Perm(), Quote(tmp), Quote(tmp), Quote(dst))
	var stderr bytes.Buffer
	if err := Run(ctx, client, cmd, src, io.Discard, &stderr); err != nil {
		var ee *ExitError
		if errors.As(err, &ee) {
			ee.Stderr = stderr.Bytes()
		}
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	return nil
}
