package packet

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/packet/api"
)

// KeptTag marks a device kept for a person (kola run --keep-failed). Its
// flight's and cluster's tags come off, so that their deletes by tag pass
// it by; it keeps CreatedByTag, so GC still collects it once it is older
// than GC's bound.
const KeptTag = "strata-kept"

// Keep implements platform.Keeper: the cluster's devices are retagged out
// of the flight and forgotten by the cluster; their records name the
// project, endpoint and config file (never the API key) RemoveKept uses.
func (c *cluster) Keep(ctx context.Context) ([]platform.KeptMachine, error) {
	f := c.flight
	return platform.KeepEach(ctx, c.BaseCluster, "packet", func(ctx context.Context, m *machine) (map[string]string, error) {
		if err := f.api.SetDeviceTags(ctx, m.ID(), []string{CreatedByTag, KeptTag, m.tag}); err != nil {
			return nil, err
		}
		return map[string]string{"device": m.ID(), "project": f.api.Project(), "endpoint": f.flags.Endpoint, "config-file": f.flags.ConfigFile}, nil
	})
}

// RemoveKept is the provider's platform.Provider.RemoveKept: it deletes
// the kept device. The API key comes from the config file recorded or
// from PACKET_AUTH_TOKEN, as for the run that kept it.
func RemoveKept(ctx context.Context, k platform.KeptMachine) (bool, error) {
	id := k.Handle["device"]
	if id == "" {
		return false, fmt.Errorf("packet: kept machine %s: its record names no device (%v)", k.ID, k.Handle)
	}
	c, err := Connect(ctx, Account{Project: k.Handle["project"], Endpoint: k.Handle["endpoint"], ConfigFile: k.Handle["config-file"]},
		slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return false, err
	}
	d, err := c.Device(ctx, id)
	switch {
	case api.IsNotFound(err):
		return false, nil // gone already (GC, or by hand)
	case err != nil:
		return false, fmt.Errorf("packet: remove kept machine %s: %w", id, err)
	case !slices.Contains(d.Tags, KeptTag):
		return false, fmt.Errorf("packet: device %s is not one kola kept (no %s tag); not deleting it", id, KeptTag)
	}
	if err := c.DeleteDevice(ctx, id); err != nil {
		return true, fmt.Errorf("packet: remove kept machine %s: %w", id, err)
	}
	return true, nil
}
