package do

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do/api"
)

// KeptTag marks a droplet kept for a person (kola run --keep-failed). Its
// flight's and cluster's tags come off, so that their deletes by tag pass
// it by; it keeps CreatedByTag, so GC still collects it once it is older
// than GC's bound.
const KeptTag = "strata-kept"

// Keep implements platform.Keeper: the cluster's droplets are retagged out
// of the flight and forgotten by the cluster; their records name the
// config file, context and endpoint (never the token) RemoveKept uses.
func (c *cluster) Keep(ctx context.Context) ([]platform.KeptMachine, error) {
	f := c.flight
	return platform.KeepEach(ctx, c.BaseCluster, "do", func(ctx context.Context, m *machine) (map[string]string, error) {
		id, err := strconv.Atoi(m.ID())
		if err == nil {
			err = f.api.TagDroplet(ctx, id, KeptTag)
		}
		for _, tag := range []string{f.tag, c.tag} {
			if err == nil {
				err = f.api.UntagDroplet(ctx, id, tag)
			}
		}
		if err != nil {
			return nil, err
		}
		return map[string]string{"droplet": m.ID(), "endpoint": f.flags.Endpoint, "config-file": f.flags.ConfigFile, "context": f.flags.Context}, nil
	})
}

// RemoveKept is the provider's platform.Provider.RemoveKept: it deletes
// the kept droplet.
func RemoveKept(ctx context.Context, k platform.KeptMachine) (bool, error) {
	id, err := strconv.Atoi(k.Handle["droplet"])
	if err != nil || id <= 0 {
		return false, fmt.Errorf("do: kept machine %s: its record names no droplet (%v)", k.ID, k.Handle)
	}
	c, err := Connect(ctx, Account{ConfigFile: k.Handle["config-file"], Context: k.Handle["context"], Endpoint: k.Handle["endpoint"]},
		slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return false, err
	}
	d, err := c.Droplet(ctx, id)
	switch {
	case api.IsNotFound(err):
		return false, nil // gone already (GC, or by hand)
	case err != nil:
		return false, fmt.Errorf("do: remove kept machine %d: %w", id, err)
	case !slices.Contains(d.Tags, KeptTag):
		return false, fmt.Errorf("do: droplet %d is not one kola kept (no %s tag); not deleting it", id, KeptTag)
	}
	if err := c.DeleteDroplet(ctx, id); err != nil {
		return true, fmt.Errorf("do: remove kept machine %d: %w", id, err)
	}
	return true, nil
}
