package gce

import (
	"context"
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/api"
)

type machine struct {
	platform.SSHMachine
	cloud.Machine
	cluster *cluster
}

// Parts are what cloud.Join fills in.
func (m *machine) Parts() (*platform.SSHMachine, *cloud.Machine) { return &m.SSHMachine, &m.Machine }

// ConsoleOutput is the instance's first serial port as Compute Engine
// keeps it, saying so when its start is lost.
func (m *machine) ConsoleOutput(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, lost, err := m.cluster.flight.api.SerialOutput(ctx, m.ID())
	if err != nil {
		return fmt.Sprintf("[strata: could not get the serial console: %v]\n", err)
	}
	if lost > 0 {
		return fmt.Sprintf("[strata: Compute Engine keeps only the last 1 MiB of serial output; the first %d bytes are lost]\n", lost) + out
	}
	return out
}

// Destroy deletes the instance (its boot disk goes with it) and waits
// until Compute Engine says it is gone.
func (m *machine) Destroy(ctx context.Context) error {
	a := m.cluster.flight.api
	for {
		op, err := a.DeleteInstance(ctx, m.ID())
		if err == nil && op != nil {
			err = a.Wait(ctx, op, pollInterval)
		}
		if err == nil || api.IsNotFound(err) {
			return nil
		}
		if api.IsTerminal(err) || ctx.Err() != nil {
			return fmt.Errorf("delete %s: %w", m.ID(), err)
		}
		m.cluster.flight.Logger().Warn("delete failed; trying again", "machine", m.ID(), "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("delete %s: %w", m.ID(), context.Cause(ctx))
		case <-time.After(pollInterval):
		}
	}
}
