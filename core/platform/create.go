package platform

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/strata-os/strata/core/conf"
)

// errSiblingFailed is why the creates still under way are cancelled when
// one machine of the cluster fails.
var errSiblingFailed = errors.New("cancelled: another machine of the cluster failed")

// NewMachines makes n machines of c at once and returns them in the order
// asked for. Booting is most of a machine's making, and machines boot
// independently, so a cluster is ready about when its slowest machine is,
// not after the sum of them (providers bound what their host or cloud
// takes at once). The first failure cancels the creates still under way
// and is the error (the provider's names the machine; it stays an
// InfraError when it was one); what was made stays in the cluster, whose
// Destroy removes it.
func NewMachines(ctx context.Context, c Cluster, n int, ud *conf.UserData) ([]Machine, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	ms := make([]Machine, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := c.NewMachine(ctx, ud)
			if err != nil {
				once.Do(func() {
					first = fmt.Errorf("create %d machines: %w", n, err)
					cancel(errSiblingFailed)
				})
				return
			}
			ms[i] = m
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return ms, nil
}
