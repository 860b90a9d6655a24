package cloud

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
)

// Machine is what every cloud machine answers without an API call: its
// ID, its addresses once the cloud reports them, and its metric labels
// (size, region or zone, image). Providers embed it beside
// platform.SSHMachine.
type Machine struct {
	id, publicIP, privateIP string
	labels                  map[string]string
}

// NewMachine is a machine known by id, without addresses yet.
func NewMachine(id string, labels map[string]string) Machine {
	return Machine{id: id, labels: labels}
}

// SetAddresses records the addresses the cloud gave the machine.
func (m *Machine) SetAddresses(public, private string) { m.publicIP, m.privateIP = public, private }

func (m *Machine) ID() string        { return m.id }
func (m *Machine) IP() string        { return m.publicIP }
func (m *Machine) PrivateIP() string { return m.privateIP }

// MetricLabels describe the machine for metrics.
func (m *Machine) MetricLabels() map[string]string { return m.labels }

// Parts are what Join fills in of a provider's machine: the SSH endpoint
// and the cloud facts it embeds.
type Parts interface {
	platform.Machine
	Parts() (*platform.SSHMachine, *Machine)
}

// Running is what a cloud reported of a machine it started.
type Running struct {
	PublicIP, PrivateIP string
	// Simulator names the simulator the machine is in ("" on a real
	// cloud): its machines run but never boot, so SSH is not tried, and
	// any use of it fails saying so.
	Simulator string
	// Watch, if set, runs while Join waits for SSH and returns an error
	// once the cloud says the machine will not answer (stopped, gone):
	// the wait ends then, with that error, rather than at the boot
	// timeout. It returns nil when ctx ends.
	Watch func(ctx context.Context) error
}

// Join finishes a machine its cloud reports running, the same on every
// cloud: its addresses and SSH endpoint (user, the flight's key, dial
// timeout), its userdata saved among its artifacts, the machine added to
// the cluster, and then SSH dialled until it answers or ctx ends (not on a
// simulator). desc names the machine in errors. An error with joined
// false came before the machine was in the cluster: the caller deletes
// it; with joined true the cluster destroys it with the rest, after its
// console is saved.
func Join(ctx context.Context, c *platform.BaseCluster, m Parts, desc string, r Running, user string, dialTimeout time.Duration, ud conf.Rendered) (joined bool, err error) {
	ssh, base := m.Parts()
	base.SetAddresses(r.PublicIP, r.PrivateIP)
	*ssh = platform.SSHMachine{Addr: net.JoinHostPort(r.PublicIP, "22"), User: user, Key: c.Flight.SSHKey(), DialTimeout: dialTimeout, Dialer: c.Flight.SSHDialer()}
	if r.Simulator != "" {
		ssh.Down = func() error {
			return fmt.Errorf("machine %s is a simulated machine (%s): it does not boot, so there is no SSH", desc, r.Simulator)
		}
	}
	if err := c.SaveUserData(m.ID(), ud); err != nil {
		return false, platform.Infra("save userdata of "+desc, err)
	}
	c.AddMachine(m)
	if r.Simulator != "" {
		c.Flight.Logger().Info("simulated machine: it runs but will not boot; SSH is not tried", "machine", desc)
		return true, nil
	}
	if r.Watch != nil {
		watchCtx, stopWatch := context.WithCancel(ctx)
		defer stopWatch()
		gone := make(chan struct{})
		var why error
		go func() {
			if err := r.Watch(watchCtx); err != nil && watchCtx.Err() == nil {
				why = err
				close(gone)
			}
		}()
		// Set before the dial reads them, and read only after gone is
		// closed, so why needs no lock.
		ssh.Gone = gone
		ssh.Down = func() error {
			select {
			case <-gone:
				return fmt.Errorf("machine %s is down: %w", desc, why)
			default:
				return nil
			}
		}
	}
	if _, err := ssh.SSHClient(ctx); err != nil {
		return true, fmt.Errorf("machine %s did not answer SSH: %w", desc, err)
	}
	return true, nil
}
