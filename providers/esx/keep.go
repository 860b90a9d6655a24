package esx

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/esx/api"
	"github.com/vmware/govmomi/vim25/types"
)

// keptPrefix starts the path in the annotation of a VM kept for a person
// (kola run --keep-failed): "kept/FLIGHT/CLUSTER/MACHINE" is under no
// flight's path, so the sweeps of its machine, cluster and flight pass it
// by; its created-at stays, so GC still collects it once it is older than
// GC's bound.
const keptPrefix = "kept/"

// Keep implements platform.Keeper: the cluster's VMs are re-marked as
// kept and forgotten by the cluster; their records name the server,
// user, datacenter, config and CA files (never the password) RemoveKept
// uses.
func (c *cluster) Keep(ctx context.Context) ([]platform.KeptMachine, error) {
	f := c.flight
	return platform.KeepEach(ctx, c.BaseCluster, "esx", func(ctx context.Context, m *machine) (map[string]string, error) {
		ref := vmRef(m.ID())
		annotation, err := f.api.Annotation(ctx, ref)
		if err != nil {
			return nil, err
		}
		made, path, ok := parseMark(annotation)
		if !ok || path != m.path {
			return nil, fmt.Errorf("its annotation %q is not the one strata gave it", annotation)
		}
		if err := f.api.SetAnnotation(ctx, ref, mark(made, keptPrefix+path)); err != nil {
			return nil, err
		}
		return map[string]string{"vm": m.ID(), "path": keptPrefix + m.path, "server": f.flags.Server, "user": f.flags.User,
			"datacenter": f.flags.Datacenter, "config-file": f.flags.ConfigFile, "ca-file": f.flags.CAFile, "insecure": fmt.Sprint(f.flags.Insecure)}, nil
	})
}

// vmRef is the reference of the VM with a machine's ID.
func vmRef(id string) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "VirtualMachine", Value: id}
}

// RemoveKept is the provider's platform.Provider.RemoveKept: it powers
// the kept VM off and deletes it. The password comes from the config
// file recorded or GOVC_PASSWORD, as for the run that kept it.
func RemoveKept(ctx context.Context, k platform.KeptMachine) (bool, error) {
	id, path := k.Handle["vm"], k.Handle["path"]
	if id == "" || !strings.HasPrefix(path, keptPrefix) {
		return false, fmt.Errorf("esx: kept machine %s: its record names no VM (%v)", k.ID, k.Handle)
	}
	c, err := Connect(ctx, Account{Server: k.Handle["server"], User: k.Handle["user"], Datacenter: k.Handle["datacenter"],
		ConfigFile: k.Handle["config-file"], CAFile: k.Handle["ca-file"], Insecure: k.Handle["insecure"] == "true"},
		api.Options{}, slog.New(slog.DiscardHandler))
	if err != nil {
		return false, err
	}
	defer c.Close(context.WithoutCancel(ctx))
	annotation, err := c.Annotation(ctx, vmRef(id))
	switch {
	case api.IsNotFound(err):
		return false, nil // gone already (GC, or by hand)
	case err != nil:
		return false, fmt.Errorf("esx: remove kept machine %s: %w", id, err)
	}
	if _, p, ok := parseMark(annotation); !ok || p != path {
		return false, fmt.Errorf("esx: virtual machine %s is not the one kola kept (annotation %q); not deleting it", id, annotation)
	}
	if err := c.Destroy(ctx, vmRef(id)); err != nil {
		return true, fmt.Errorf("esx: remove kept machine %s: %w", id, err)
	}
	return true, nil
}
