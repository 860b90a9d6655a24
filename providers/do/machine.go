package do

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
	tag     string // the machine's own tag
}

// Parts are what cloud.Join fills in.
func (m *machine) Parts() (*platform.SSHMachine, *cloud.Machine) { return &m.SSHMachine, &m.Machine }

// ConsoleOutput says that there is none to be had: DigitalOcean has a
// web console for people but no API for a droplet's serial output.
func (m *machine) ConsoleOutput(context.Context) string {
	return fmt.Sprintf("[strata: DigitalOcean has no API for a droplet's console output; droplet %s's journal is collected over SSH]\n", m.ID())
}

// Destroy deletes the machine's droplet, and any twin a retried create
// made, by the machine's own tag.
func (m *machine) Destroy(ctx context.Context) error {
	if err := m.cluster.flight.api.DeleteDropletsByTag(ctx, m.tag); err != nil {
		return fmt.Errorf("do: delete droplet %s: %w", m.ID(), err)
	}
	return nil
}
