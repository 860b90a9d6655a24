package platform

import (
	"context"
	"errors"
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
