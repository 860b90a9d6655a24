package esx

import (
	"context"
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/esx/api"
)

// GC kinds, in the order they are deleted.
const (
	gcVM       = "vm"
	gcTemplate = "template"
)

// GC removes what strata's runs left behind, older than the bound:
// virtual machines and templates whose annotation is strata's, by the
// creation time it holds. Nothing else is touched. It goes on past a
// failed deletion and reports every one.
func GC(ctx context.Context, c *api.Client, o cloud.GCOptions) ([]cloud.GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	vms, err := c.VMs(ctx, MarkPrefix)
	if err != nil {
		return nil, fmt.Errorf("esx gc: %w", err)
	}
	var found []cloud.Candidate
	for _, vm := range vms {
		made, _, ok := parseMark(vm.Annotation)
		if !ok {
			continue
		}
		kind := gcVM
		if vm.Template {
			kind = gcTemplate
		}
		found = append(found, cloud.Candidate{Kind: kind, ID: vm.Name, Created: made, Delete: func(ctx context.Context) error {
			return c.Destroy(ctx, vm.Ref)
		}})
	}
	items, err := cloud.Collect(ctx, found, o)
	if err != nil {
		return items, fmt.Errorf("esx gc: %w", err)
	}
	return items, nil
}

// ImageMark is the mark of a template (or VM) ore esx upload-ova
// imports: GC collects it like a machine, by the time in the mark.
func ImageMark(name string, made time.Time) string { return mark(made, "image/"+name) }
