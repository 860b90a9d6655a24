package openstack

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack/api"
)

// KeptKey is the metadata key that marks a server kept for a person (kola
// run --keep-failed), with the flight's tag as its value. Sweeps of its
// machine, cluster and flight pass it, its port and floating IP by, and
// the flight's security group (its port's) stays; it keeps CreatedByKey,
// so GC still collects it once it is older than GC's bound.
const KeptKey = "strata-kept"

// Keep implements platform.Keeper: the cluster's servers are marked kept
// and forgotten by the cluster; their records name the cloud, clouds.yaml
// path, region and interface (never a password) RemoveKept uses.
func (c *cluster) Keep(ctx context.Context) ([]platform.KeptMachine, error) {
	f := c.flight
	return platform.KeepEach(ctx, c.BaseCluster, "openstack", func(ctx context.Context, m *machine) (map[string]string, error) {
		if err := f.api.SetServerMetadata(ctx, m.ID(), KeptKey, f.tag); err != nil {
			return nil, err
		}
		f.keptAny.Store(true)
		return map[string]string{"server": m.ID(), "path": m.path, "security-group": f.group.ID,
			"cloud": f.flags.Cloud, "clouds-file": f.flags.CloudsFile, "region": f.flags.Region, "interface": f.flags.Interface}, nil
	})
}

// RemoveKept is the provider's platform.Provider.RemoveKept: it deletes
// the kept server, then its floating IP and port, then the flight's
// security group unless another kept machine's port is still in it.
func RemoveKept(ctx context.Context, k platform.KeptMachine) (bool, error) {
	id, path := k.Handle["server"], k.Handle["path"]
	if id == "" || path == "" {
		return false, fmt.Errorf("openstack: kept machine %s: its record names no server (%v)", k.ID, k.Handle)
	}
	c, err := Connect(ctx, Account{Cloud: k.Handle["cloud"], CloudsFile: k.Handle["clouds-file"], Region: k.Handle["region"],
		Interface: k.Handle["interface"]}, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		return false, err
	}
	s, err := c.Server(ctx, id)
	running := err == nil
	switch {
	case err != nil && !api.IsNotFound(err):
		return false, fmt.Errorf("openstack: remove kept machine %s: %w", id, err)
	case running && (s.Metadata[KeptKey] == "" || s.Metadata[PathKey] != path):
		return false, fmt.Errorf("openstack: server %s is not the one kola kept (no %s, or not path %s); not deleting it", id, KeptKey, path)
	case running:
		if err := c.DeleteServer(ctx, id); err != nil {
			return true, fmt.Errorf("openstack: remove kept machine %s: %w", id, err)
		}
		if err := c.WaitDeleted(ctx, id, deletePoll); err != nil {
			return true, fmt.Errorf("openstack: remove kept machine %s: %w", id, err)
		}
	}
	// Its port and floating IP go whether or not the server was still
	// there: GC or a person may have deleted only the server.
	if err := sweep(ctx, c, path); err != nil {
		return running, fmt.Errorf("remove kept machine %s: %w", id, err)
	}
	if g := k.Handle["security-group"]; g != "" {
		err := c.DeleteSecurityGroup(ctx, g)
		if err != nil && cloud.HTTPStatus(err) != http.StatusConflict { // in use: another kept machine's
			return running, fmt.Errorf("openstack: remove kept machine %s: %w", id, err)
		}
	}
	return running, nil
}
