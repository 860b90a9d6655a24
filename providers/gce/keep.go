package gce

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/api"
)

// keptLabel marks an instance kept for a person (kola run --keep-failed):
// its flight label becomes keptFlight, so that the flight's sweep passes
// it by, and keptLabel names the flight that kept it. GC still collects
// it once it is older than GC's bound.
const (
	keptLabel  = "strata-kept"
	keptFlight = "kept"
)

// Keep implements platform.Keeper: the cluster's instances are relabelled
// out of the flight and forgotten by the cluster; their records name the
// project, zone, endpoint and key file (not its contents) RemoveKept uses.
func (c *cluster) Keep(ctx context.Context) ([]platform.KeptMachine, error) {
	f := c.flight
	return platform.KeepEach(ctx, c.BaseCluster, "gce", func(ctx context.Context, m *machine) (map[string]string, error) {
		err := f.api.UpdateInstanceLabels(ctx, m.ID(), func(l map[string]string) {
			l[flightLabel] = keptFlight
			l[keptLabel] = instanceName(f.Name())
		}, pollInterval)
		if err != nil {
			return nil, err
		}
		return map[string]string{"instance": m.ID(), "project": f.api.Project(), "zone": f.api.Zone(), "endpoint": f.flags.Endpoint,
			"json-key": f.flags.CredentialsFile}, nil
	})
}

// RemoveKept is the provider's platform.Provider.RemoveKept: it deletes
// the kept instance (its boot disk with it) and waits until it is gone.
func RemoveKept(ctx context.Context, k platform.KeptMachine) (bool, error) {
	name := k.Handle["instance"]
	if !resourceName.MatchString(name) {
		return false, fmt.Errorf("gce: kept machine %s: its record names no instance (%v)", k.ID, k.Handle)
	}
	c, err := Connect(ctx, Account{Project: k.Handle["project"], Zone: k.Handle["zone"], Endpoint: k.Handle["endpoint"],
		CredentialsFile: k.Handle["json-key"]}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return false, err
	}
	in, err := c.Instance(ctx, name)
	switch {
	case api.IsNotFound(err):
		return false, nil // gone already (GC, or by hand)
	case err != nil:
		return false, err
	case in.Labels[keptLabel] == "":
		return false, fmt.Errorf("gce: instance %s is not one kola kept (no %s label); not deleting it", name, keptLabel)
	}
	op, err := c.DeleteInstance(ctx, name)
	if err == nil && op != nil {
		err = c.Wait(ctx, op, pollInterval)
	}
	if err != nil && !api.IsNotFound(err) {
		return true, fmt.Errorf("gce: remove kept machine %s: %w", name, err)
	}
	return true, nil
}
