package aws

import (
	"context"
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/api"
)

type machine struct {
	platform.SSHMachine
	cloud.Machine
	cluster *cluster
}

// consoleNote heads console.txt: EC2 does not keep a whole console.
const consoleNote = "[strata: EC2 keeps only the last 64 KiB of a console, saved at boots and shutdowns; earlier output is lost]\n"

// Parts are what cloud.Join fills in.
func (m *machine) Parts() (*platform.SSHMachine, *cloud.Machine) { return &m.SSHMachine, &m.Machine }

// ConsoleOutput asks EC2 for the console as it keeps it.
func (m *machine) ConsoleOutput(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	b, err := m.cluster.flight.api.ConsoleOutput(ctx, m.ID())
	if err != nil {
		return consoleNote + fmt.Sprintf("[strata: could not get the console: %v]\n", err)
	}
	return consoleNote + string(b)
}

// Destroy terminates the instance and waits until EC2 says it is gone.
func (m *machine) Destroy(ctx context.Context) error {
	for {
		done, err := m.cluster.flight.api.Terminate(ctx, m.ID())
		if err != nil && (api.IsTerminal(err) || ctx.Err() != nil) {
			return fmt.Errorf("terminate %s: %w", m.ID(), err)
		}
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("terminate %s: still shutting down: %w", m.ID(), context.Cause(ctx))
		case <-time.After(pollInterval):
		}
	}
}
