package azure

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/api"
)

type machine struct {
	platform.SSHMachine
	cloud.Machine
	cluster *cluster
}

// Parts are what cloud.Join fills in.
func (m *machine) Parts() (*platform.SSHMachine, *cloud.Machine) { return &m.SSHMachine, &m.Machine }

// retryInterval is how long a failed delete waits before it tries again.
var retryInterval = 2 * time.Second

// ConsoleOutput is the machine's serial log from its boot diagnostics.
func (m *machine) ConsoleOutput(ctx context.Context) string {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	f := m.cluster.flight
	out, err := f.api.SerialLog(ctx, f.group, m.ID())
	if err != nil {
		return fmt.Sprintf("[strata: could not get the serial log from boot diagnostics: %v]\n", err)
	}
	return out
}

// Destroy deletes the virtual machine (its OS disk goes with it), then
// its network interface and public IP address, and waits until Azure says
// they are gone; transient failures are tried again until ctx ends.
func (m *machine) Destroy(ctx context.Context) error {
	f := m.cluster.flight
	for {
		err := f.api.DeleteVM(ctx, f.group, m.ID())
		if err == nil {
			err = f.api.DeleteInterface(ctx, f.group, m.ID())
		}
		if err == nil {
			return nil
		}
		// NicInUse: a create the caller gave up on made the machine
		// after it was deleted; it is deleted again.
		if api.IsTerminal(err) && api.Code(err) != "NicInUse" || ctx.Err() != nil {
			return fmt.Errorf("delete %s: %w", m.ID(), errors.Join(err, context.Cause(ctx)))
		}
		f.Logger().Warn("delete failed; trying again", "machine", m.ID(), "err", err)
		select {
		case <-ctx.Done():
			return fmt.Errorf("delete %s: %w", m.ID(), context.Cause(ctx))
		case <-time.After(retryInterval):
		}
	}
}
