package esx

import (
	"context"
	"fmt"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/esx/api"
)

type machine struct {
	platform.SSHMachine
	cloud.Machine
	cluster *cluster
	path    string // FLIGHT/CLUSTER/MACHINE
	name    string
}

// Parts are what cloud.Join fills in.
func (m *machine) Parts() (*platform.SSHMachine, *cloud.Machine) { return &m.SSHMachine, &m.Machine }

// consoleMax bounds the console read: its last bytes.
const consoleMax = 4 << 20

// ConsoleOutput reads the serial console the host wrote to the
// datastore, or says why there is none.
func (m *machine) ConsoleOutput(ctx context.Context) string {
	if m.cluster.flight.flags.NoConsole {
		return fmt.Sprintf("[strata: virtual machine %s has no serial console (--esx-no-console); its journal is collected over SSH]\n", m.ID())
	}
	out, err := m.cluster.flight.api.ReadDatastoreFile(ctx, api.ConsolePath(m.name), consoleMax)
	if err != nil {
		return fmt.Sprintf("[strata: no serial console of virtual machine %s: %v]\n", m.ID(), err)
	}
	return out
}

// Destroy powers the machine's VM off and deletes it, found by its path
// (so a clone whose answer was lost goes too).
func (m *machine) Destroy(ctx context.Context) error {
	return sweep(ctx, m.cluster.flight.api, m.path)
}
