package packet

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"golang.org/x/crypto/ssh"
)

type machine struct {
	platform.SSHMachine
	cloud.Machine
	cluster *cluster
	tag     string // the machine's own tag
	sos     string // its SOS console's host, as the API gives it
}

// Parts are what cloud.Join fills in.
func (m *machine) Parts() (*platform.SSHMachine, *cloud.Machine) { return &m.SSHMachine, &m.Machine }

// sosTimeout bounds reading a console: SOS streams the serial port for as
// long as one stays, so what came by then is the console.
var sosTimeout = 10 * time.Second

// ConsoleOutput reads the device's serial console over SOS (SSH to the
// facility's console host as the device's ID, with the flight's key),
// or says why there is none.
func (m *machine) ConsoleOutput(ctx context.Context) string {
	out, err := m.readSOS(ctx)
	if err != nil {
		return fmt.Sprintf("%s[strata: the SOS console of device %s at %s: %v]\n", out, m.ID(), m.sos, err)
	}
	return out
}

func (m *machine) readSOS(ctx context.Context) (string, error) {
	if m.sos == "" {
		return "", fmt.Errorf("the API named no console host")
	}
	addr := m.sos
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "22")
	}
	ctx, cancel := context.WithTimeout(ctx, sosTimeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// The console hosts' keys are Equinix's and change with the
	// facility; strata has no list of them to check against, and reads
	// only what the serial port printed.
	cc, chans, reqs, err := ssh.NewClientConn(conn, addr, &ssh.ClientConfig{User: m.ID(), Auth: []ssh.AuthMethod{ssh.PublicKeys(m.cluster.flight.SSHKey().Signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: sosTimeout})
	if err != nil {
		return "", err
	}
	client := ssh.NewClient(cc, chans, reqs)
	defer client.Close()
	sess, err := client.NewSession()
	if err != nil {
		return "", err
	}
	defer sess.Close()
	stdout, err := sess.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := sess.Shell(); err != nil {
		return "", err
	}
	b, err := io.ReadAll(stdout)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		err = nil // the console was still streaming
	}
	return string(b), err
}

// Destroy deletes the machine's device, and any twin a retried create
// made, by the machine's own tag.
func (m *machine) Destroy(ctx context.Context) error {
	if err := m.cluster.flight.api.DeleteDevicesWith(ctx, m.tag); err != nil {
		return fmt.Errorf("packet: delete device %s: %w", m.ID(), err)
	}
	return nil
}
