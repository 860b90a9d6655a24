package platform

import (
	"context"
	"errors"
	"fmt"
)

// Keeper is implemented by clusters whose machines can be left running
// after the run that made them, for a person to look at (kola run
// --keep-failed). The flight must have been made with
// FlightOptions.KeepFailed: machines that may be kept are started so
// that they can outlive kola.
type Keeper interface {
	// Keep takes the cluster's running machines out of it, so that its
	// Destroy and the flight's leave them running, and says how to reach
	// and remove each. Machines that are no longer running stay in the
	// cluster and go with it.
	Keep(ctx context.Context) ([]KeptMachine, error)
}

// KeptMachine is a machine left running on purpose: what a person (kola
// ssh) needs to reach it and the provider's RemoveKept to remove it.
type KeptMachine struct {
	ID       string `json:"id"`
	Platform string `json:"platform"`
	// User and Addr (host:port) reach it over SSH with the flight's key.
	User string `json:"user"`
	Addr string `json:"addr"`
	// SSHProxy, if set, is the SOCKS5 proxy Addr is reached through
	// (FlightOptions.SSHProxy; the runner fills it in).
	SSHProxy string `json:"ssh_proxy,omitempty"`
	// Console, if set, is a file its serial console goes on into.
	Console string `json:"console,omitempty"`
	// Handle is what the provider needs to remove it (process and
	// directory, instance ID and region); never a secret.
	Handle map[string]string `json:"handle,omitempty"`
}

// ErrCannotKeep is why machines of a platform whose clusters are not
// Keepers are destroyed although kept machines were asked for.
var ErrCannotKeep = errors.New("this platform cannot keep machines after the run")

// KeepEach is the loop of a cloud's Keep: for each of the cluster's
// machines of type M, keep takes it out of its flight (a tag, a label, a
// mark) and returns what RemoveKept will need; the machine then leaves
// the cluster, and its record gets its ID, platform, SSH user and
// address. Machines keep failed on stay in the cluster (its Destroy takes
// them) and their errors are joined.
func KeepEach[M interface {
	Machine
	SSHTarget() (user, hostport string)
}](ctx context.Context, c *BaseCluster, platformName string, keep func(ctx context.Context, m M) (handle map[string]string, err error)) ([]KeptMachine, error) {
	var (
		kept []KeptMachine
		errs []error
	)
	for _, pm := range c.Machines() {
		m, ok := pm.(M)
		if !ok {
			continue
		}
		handle, err := keep(ctx, m)
		if err != nil {
			errs = append(errs, fmt.Errorf("keep %s: %w", m.ID(), err))
			continue
		}
		c.Release(m)
		user, addr := m.SSHTarget()
		kept = append(kept, KeptMachine{ID: m.ID(), Platform: platformName, User: user, Addr: addr, Handle: handle})
	}
	return kept, errors.Join(errs...)
}
