package aws

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/api"
	"golang.org/x/crypto/ssh"
)

type machine struct {
	platform.SSHMachine
	cluster  *cluster
	id       string
	instance *api.Instance
	labels   map[string]string
}

func (m *machine) ID() string { return m.id }

func (m *machine) IP() string {
	if m.instance == nil {
		return ""
	}
	return m.instance.PublicIP
}

func (m *machine) PrivateIP() string {
	if m.instance == nil {
		return ""
	}
	return m.instance.PrivateIP
}

// MetricLabels describe the machine for metrics, without an API call.
func (m *machine) MetricLabels() map[string]string { return m.labels }

// errSimulated is what a simulated machine answers where SSH is needed.
func (m *machine) errSimulated() error {
	return fmt.Errorf("machine %s is a simulated instance (strata's EC2 simulator): it does not boot, so there is no SSH", m.id)
}

func (m *machine) simulated() bool { return m.instance != nil && m.instance.Simulated }

func (m *machine) SSHClient(ctx context.Context) (*ssh.Client, error) {
	if m.simulated() {
		return nil, m.errSimulated()
	}
	return m.SSHMachine.SSHClient(ctx)
}

func (m *machine) SSH(ctx context.Context, cmd string) ([]byte, []byte, error) {
	if m.simulated() {
		return nil, nil, m.errSimulated()
	}
	return m.SSHMachine.SSH(ctx, cmd)
}

func (m *machine) CopyFile(ctx context.Context, src io.Reader, dst string, mode fs.FileMode) error {
	if m.simulated() {
		return m.errSimulated()
	}
	return m.SSHMachine.CopyFile(ctx, src, dst, mode)
}

func (m *machine) Reboot(ctx context.Context) error {
	if m.simulated() {
		return m.errSimulated()
	}
	return m.SSHMachine.Reboot(ctx)
}

func (m *machine) Journal(ctx context.Context) ([]byte, error) {
	if m.simulated() {
		return nil, m.errSimulated()
	}
	return m.SSHMachine.Journal(ctx)
}

// consoleNote heads console.txt: EC2 does not keep a whole console.
const consoleNote = "[strata: EC2 keeps only the last 64 KiB of a console, saved at boots and shutdowns; earlier output is lost]\n"

// ConsoleOutput asks EC2 for the console as it keeps it.
func (m *machine) ConsoleOutput() string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	b, err := m.cluster.flight.api.ConsoleOutput(ctx, m.id)
	if err != nil {
		return consoleNote + fmt.Sprintf("[strata: could not get the console: %v]\n", err)
	}
	return consoleNote + string(b)
}

// Destroy terminates the instance and waits until EC2 says it is gone.
func (m *machine) Destroy(ctx context.Context) error {
	for {
		done, err := m.cluster.flight.api.Terminate(ctx, m.id)
		if err != nil && (api.IsTerminal(err) || ctx.Err() != nil) {
			return fmt.Errorf("terminate %s: %w", m.id, err)
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("terminate %s: still shutting down: %w", m.id, context.Cause(ctx))
		case <-time.After(pollInterval):
		}
	}
}
