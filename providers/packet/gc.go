package packet

import (
	"context"
	"fmt"
	"strings"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/packet/api"
)

// GC kinds, in the order they are deleted.
const (
	gcDevice = "device"
	gcKey    = "key"
)

// GC removes what strata's runs left behind, older than the bound:
// devices tagged as strata's and the project SSH keys strata added, by
// their creation times. Nothing else is touched, and a resource without
// a readable creation time never is. It goes on past a failed deletion
// and reports every one.
func GC(ctx context.Context, c *api.Client, o cloud.GCOptions) ([]cloud.GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	var found []cloud.Candidate
	devices, err := c.Devices(ctx, CreatedByTag)
	if err != nil {
		return nil, fmt.Errorf("packet gc: %w", err)
	}
	for _, d := range devices {
		found = append(found, cloud.Candidate{Kind: gcDevice, ID: d.ID, Created: d.Created, Delete: func(ctx context.Context) error {
			return c.DeleteDevice(ctx, d.ID)
		}})
	}
	keys, err := c.Keys(ctx)
	if err != nil {
		return nil, fmt.Errorf("packet gc: %w", err)
	}
	for _, k := range keys {
		if !strings.HasPrefix(k.Label, keyPrefix) {
			continue
		}
		found = append(found, cloud.Candidate{Kind: gcKey, ID: k.Label, Created: k.Created, Delete: func(ctx context.Context) error {
			return c.DeleteKey(ctx, k.ID)
		}})
	}
	items, err := cloud.Collect(ctx, found, o)
	if err != nil {
		return items, fmt.Errorf("packet gc: %w", err)
	}
	return items, nil
}
