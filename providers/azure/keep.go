package azure

import (
	"context"
	"fmt"
	"log/slog"
	"slices"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/api"
)

// KeptTag marks a flight's resource group that holds machines kept for a
// person (kola run --keep-failed), with the flight's name as its value.
// The group then outlives the flight; RemoveKept deletes it with its last
// kept machine, and GC still collects it once it is older than GC's bound.
const KeptTag = "strata-kept"

// Keep implements platform.Keeper: the flight's resource group is tagged
// as kept and will outlive the flight, and the cluster forgets its VMs;
// their records name the subscription, location, endpoint and the
// credentials' file (never a secret) RemoveKept uses.
func (c *cluster) Keep(ctx context.Context) ([]platform.KeptMachine, error) {
	f := c.flight
	machines := c.Machines()
	if len(machines) == 0 {
		return nil, nil
	}
	err := f.api.CreateGroup(ctx, f.group, Tags(map[string]string{flightTag: f.Name(), KeptTag: f.Name()}, f.created))
	if err != nil {
		return nil, fmt.Errorf("keep the machines of group %s: %w", f.group, err)
	}
	f.keptAny.Store(true)
	var kept []platform.KeptMachine
	for _, pm := range machines {
		m, ok := pm.(*machine)
		if !ok {
			continue
		}
		c.Release(m)
		user, addr := m.SSHTarget()
		kept = append(kept, platform.KeptMachine{ID: m.ID(), Platform: "azure", User: user, Addr: addr, Handle: map[string]string{
			"vm": m.ID(), "group": f.group, "subscription": f.api.Subscription(), "location": f.api.Location(),
			"endpoint": f.flags.Endpoint, "auth-file": f.flags.AuthFile, "ca-file": f.flags.CAFile,
		}})
	}
	return kept, nil
}

// removeTune lets tests make RemoveKept's client poll and retry fast.
var removeTune func(*api.Options)

// RemoveKept is the provider's platform.Provider.RemoveKept: it deletes
// the kept VM, its network interface and public IP address, and the
// flight's resource group once no VM is left in it.
func RemoveKept(ctx context.Context, k platform.KeptMachine) (bool, error) {
	name, group := k.Handle["vm"], k.Handle["group"]
	if name == "" || group == "" {
		return false, fmt.Errorf("azure: kept machine %s: its record names no VM and group (%v)", k.ID, k.Handle)
	}
	c, err := Connect(ctx, Account{Subscription: k.Handle["subscription"], Location: k.Handle["location"], Endpoint: k.Handle["endpoint"],
		AuthFile: k.Handle["auth-file"], CAFile: k.Handle["ca-file"]}, slog.New(slog.DiscardHandler), removeTune)
	if err != nil {
		return false, err
	}
	groups, err := c.Groups(ctx, KeptTag, "")
	if err != nil {
		return false, fmt.Errorf("azure: remove kept machine %s: %w", name, err)
	}
	if !slices.ContainsFunc(groups, func(g api.Group) bool { return g.Name == group }) {
		return false, nil // the group is gone (GC, or by hand), or never was kept's
	}
	_, err = c.GetVM(ctx, group, name)
	running := err == nil
	if err != nil && !api.IsNotFound(err) {
		return false, fmt.Errorf("azure: remove kept machine %s: %w", name, err)
	}
	err = c.DeleteVM(ctx, group, name)
	if err == nil {
		err = c.DeleteInterface(ctx, group, name)
	}
	if err != nil {
		return running, fmt.Errorf("azure: remove kept machine %s: %w", name, err)
	}
	left, err := c.VMs(ctx, group)
	if err == nil && len(left) == 0 {
		err = c.DeleteGroup(ctx, group)
	}
	if err != nil {
		return running, fmt.Errorf("azure: remove kept machine %s: %w", name, err)
	}
	return running, nil
}
