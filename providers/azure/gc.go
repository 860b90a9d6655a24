package azure

import (
	"context"
	"fmt"
	"strings"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/azure/api"
)

// GC removes what strata's runs left behind, tagged created-by=strata
// and older than the bound by their created-at tag: resource groups
// (flights' groups, with everything in them) and managed images outside
// them (ore's images live in a group of the user's). A resource without
// a readable created-at tag is never touched. It goes on past a failed
// deletion and reports every one.
func GC(ctx context.Context, c *api.Client, o cloud.GCOptions) ([]cloud.GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	found, err := candidates(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("azure gc: %w", err)
	}
	items, err := cloud.Collect(ctx, found, o)
	if err != nil {
		return items, fmt.Errorf("azure gc: %w", err)
	}
	return items, nil
}

// GC kinds, in the order they are deleted.
const (
	gcGroup = "group"
	gcImage = "image"
)

// candidates lists everything tagged created-by=strata, whatever its
// age: groups first, and images only outside strata's groups (they go
// with their group, old or young).
func candidates(ctx context.Context, c *api.Client) ([]cloud.Candidate, error) {
	var found []cloud.Candidate
	groups, err := c.Groups(ctx, CreatedByTag, CreatedBy)
	if err != nil {
		return nil, err
	}
	ours := map[string]bool{}
	for _, g := range groups {
		ours[strings.ToLower(g.Name)] = true
		if strings.EqualFold(g.State, "Deleting") {
			continue // on its way
		}
		created, _ := CreatedAt(g.Tags) // zero: never collected
		found = append(found, cloud.Candidate{Kind: gcGroup, ID: g.Name, Created: created, Delete: func(ctx context.Context) error {
			return c.DeleteGroup(ctx, g.Name)
		}})
	}
	images, err := c.Images(ctx)
	if err != nil {
		return nil, err
	}
	for _, im := range images {
		if im.Tags[CreatedByTag] != CreatedBy || ours[strings.ToLower(im.Group)] || strings.EqualFold(im.State, "Deleting") {
			continue
		}
		created, _ := CreatedAt(im.Tags)
		found = append(found, cloud.Candidate{Kind: gcImage, ID: im.Group + "/" + im.Name, Created: created, Delete: func(ctx context.Context) error {
			return c.DeleteImage(ctx, im.Group, im.Name)
		}})
	}
	return found, nil
}
