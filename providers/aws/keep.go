package aws

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/strata-os/strata/core/platform"
)

// keptTag marks an instance kept for a person (kola run --keep-failed):
// its flight tag is changed to keptFlight, so that the flight's sweep
// passes it by, and keptTag names the flight that kept it. GC still
// collects it once it is older than GC's bound.
const (
	keptTag    = "strata-kept"
	keptFlight = "kept"
)

var instanceID = regexp.MustCompile(`^i-[0-9a-f]{8,17}$`)

// Keep implements platform.Keeper: the cluster's instances are retagged
// out of the flight and forgotten by the cluster, and their records carry
// what RemoveKept needs (no secret: the account's profile and files are
// named, not read).
func (c *cluster) Keep(ctx context.Context) ([]platform.KeptMachine, error) {
	f := c.flight
	return platform.KeepEach(ctx, c.BaseCluster, "aws", func(ctx context.Context, m *machine) (map[string]string, error) {
		if err := f.api.Tag(ctx, m.ID(), map[string]string{flightTag: keptFlight, keptTag: f.Name()}); err != nil {
			return nil, err
		}
		return map[string]string{"instance": m.ID(), "region": f.api.Region(), "endpoint": f.flags.Endpoint,
			"profile": f.flags.Profile, "credentials-file": f.flags.CredentialsFile}, nil
	})
}

// RemoveKept is the provider's platform.Provider.RemoveKept: it
// terminates the kept instance and waits until it is gone.
func RemoveKept(ctx context.Context, k platform.KeptMachine) (bool, error) {
	id := k.Handle["instance"]
	if !instanceID.MatchString(id) {
		return false, fmt.Errorf("aws: kept machine %s: its record names no instance (%v)", k.ID, k.Handle)
	}
	c, err := Connect(ctx, Account{Region: k.Handle["region"], Endpoint: k.Handle["endpoint"], Profile: k.Handle["profile"],
		CredentialsFile: k.Handle["credentials-file"]}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return false, err
	}
	in, err := c.Instance(ctx, id)
	if err != nil || in.State == "terminated" || in.State == "shutting-down" {
		return false, nil // gone already (GC, or by hand)
	}
	if in.Tags[keptTag] == "" {
		return false, fmt.Errorf("aws: instance %s is not one kola kept (no %s tag); not terminating it", id, keptTag)
	}
	for {
		done, err := c.Terminate(ctx, id)
		if err != nil {
			return true, fmt.Errorf("aws: remove kept machine %s: %w", id, err)
		}
		if done {
			return true, nil
		}
		select {
		case <-ctx.Done():
			return true, fmt.Errorf("aws: remove kept machine %s: still shutting down: %w", id, context.Cause(ctx))
		case <-time.After(pollInterval):
		}
	}
}
