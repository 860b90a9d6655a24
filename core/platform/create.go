package platform

import (
	"context"
	"fmt"

	"github.com/strata-os/strata/core/conf"
	"golang.org/x/sync/errgroup"
)

// NewMachines makes n machines of c at once and returns them in the order
// asked for. Booting is most of a machine's making, and machines boot
// independently, so a cluster is ready about when its slowest machine is,
// not after the sum of them. The first failure cancels the creates still
// under way and is the error (the provider's names the machine; it stays
// an InfraError when it was one); what was made stays in the cluster,
// whose Destroy removes it.
func NewMachines(ctx context.Context, c Cluster, n int, ud *conf.UserData) ([]Machine, error) {
	ms := make([]Machine, n)
	g, gctx := errgroup.WithContext(ctx)
	for i := range n {
		g.Go(func() error {
			m, err := c.NewMachine(gctx, ud)
			if err != nil {
				return fmt.Errorf("create %d machines: %w", n, err)
			}
			ms[i] = m
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return ms, nil
}
