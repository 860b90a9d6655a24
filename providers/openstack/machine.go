package openstack

import (
	"context"
	"fmt"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
)

type machine struct {
	platform.SSHMachine
	cloud.Machine
	cluster *cluster
	path    string // FLIGHT/CLUSTER/MACHINE
}

// Parts are what cloud.Join fills in.
func (m *machine) Parts() (*platform.SSHMachine, *cloud.Machine) { return &m.SSHMachine, &m.Machine }

// ConsoleOutput is the server's console log from Nova.
func (m *machine) ConsoleOutput(ctx context.Context) string {
	out, err := m.cluster.flight.api.ConsoleOutput(ctx, m.ID())
	if err != nil {
		return fmt.Sprintf("[strata: no console log of server %s: %v]\n", m.ID(), err)
	}
	return out
}

// Destroy deletes the machine's server (and any twin a retried create
// made), its floating IP and its port, all found by the machine's path.
func (m *machine) Destroy(ctx context.Context) error {
	return sweep(ctx, m.cluster.flight.api, m.path)
}
