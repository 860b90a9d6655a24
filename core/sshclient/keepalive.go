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
	return keepAlive(client, nil) == nil
}

// keepAlive sends one keepalive and waits for its answer (an error reply
// is an answer: the server is there). It returns nil when answered,
// errStopped when stop closed first, and ErrConnectionLost (having closed
// the connection) when neither came within keepAliveTimeout.
func keepAlive(client *ssh.Client, stop <-chan struct{}) error {
	answered := make(chan error, 1)
	go func() {
		_, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
		answered <- err
	}()
	timer := time.NewTimer(keepAliveTimeout)
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
		client.Close()
		return fmt.Errorf("%w (no answer in %v)", ErrConnectionLost, keepAliveTimeout)
	}
}

var errStopped = errors.New("stopped")

// watch sends keepalives until stop closes; the channel gets
// ErrConnectionLost if the server stops answering (the connection is then
// closed, which also ends the sessions on it).
func watch(client *ssh.Client, stop <-chan struct{}) <-chan error {
	lost := make(chan error, 1)
	go func() {
		tick := time.NewTicker(keepAliveInterval)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			switch err := keepAlive(client, stop); {
			case errors.Is(err, errStopped):
				return
			case err != nil:
				client.Close()
				lost <- err
				return
			}
		}
	}()
	return lost
}
