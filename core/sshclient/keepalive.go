package sshclient

import (
	"errors"
	"fmt"
	"time"

	"golang.org/x/crypto/ssh"
)

// A machine can vanish without closing its connections: QEMU's user
// network keeps the host's end of a TCP connection open across a guest's
// reboot or crash, and a cloud's NAT may do the same. Waiting on such a
// connection lasts until the test's own timeout, and says nothing of why.
// So while a command runs the server is asked for a keepalive every
// keepAliveInterval (OpenSSH's ServerAliveInterval); no answer within
// keepAliveTimeout closes the connection and the command fails with
// ErrConnectionLost. A busy server still answers (sshd does so from its
// own process, even under emulation), so the timeout is generous.
var (
	keepAliveInterval = 10 * time.Second
	keepAliveTimeout  = 60 * time.Second
)

// ErrConnectionLost is why a command or a keepalive on a connection whose
// machine stopped answering failed.
var ErrConnectionLost = errors.New("SSH connection lost: the machine stopped answering keepalives")

// Alive asks the server for a keepalive and reports whether it answered
// within keepAliveTimeout; a connection that did not answer is closed.
func Alive(client *ssh.Client) bool {
	if keepAlive(client, nil, keepAliveTimeout) != nil {
		client.Close()
		return false
	}
	return true
}

// keepAlive sends one keepalive and waits for its answer (an error reply
// is an answer: the server is there). It returns nil when answered,
// errStopped when stop closed first, and ErrConnectionLost when the
// connection failed or neither came within timeout.
func keepAlive(client *ssh.Client, stop <-chan struct{}, timeout time.Duration) error {
	answered := make(chan error, 1)
	go func() {
		_, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
		answered <- err
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-answered:
		if err != nil {
			return fmt.Errorf("%w: %v", ErrConnectionLost, err)
		}
		return nil
	case <-stop:
		return errStopped
	case <-timer.C:
		return fmt.Errorf("%w (no answer in %v)", ErrConnectionLost, timeout)
	}
}

var errStopped = errors.New("stopped")

// watch sends keepalives until stop closes; the channel gets
// ErrConnectionLost if the server stops answering (the connection is then
// closed, which also ends the sessions on it). The timings are read here,
// by the caller, not by the goroutine that outlives it.
func watch(client *ssh.Client, stop <-chan struct{}) <-chan error {
	lost := make(chan error, 1)
	interval, timeout := keepAliveInterval, keepAliveTimeout
	go func() {
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			switch err := keepAlive(client, stop, timeout); {
			case errors.Is(err, errStopped):
				return
			case err != nil:
				// Said before the close, so that Run, woken by the
				// session ending, finds why.
				lost <- err
				client.Close()
				return
			}
		}
	}()
	return lost
}
