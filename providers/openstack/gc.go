package openstack

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/openstack/api"
)

// GC kinds, in the order they are deleted: what holds others first.
const (
	gcServer        = "server"
	gcFloatingIP    = "floating-ip"
	gcPort          = "port"
	gcSecurityGroup = "security-group"
	gcKey           = "key"
	gcImage         = "image"
)

// GC removes what strata's runs left behind, older than the bound:
// servers with strata's metadata, ports and floating IPs with its
// description (by their creation times), security groups and key pairs
// strata named (by the time in the name), and images with strata's tag.
// Nothing else is touched, and a resource without a readable creation
// time never is. It goes on past a failed deletion and reports every
// one.
func GC(ctx context.Context, c *api.Client, o cloud.GCOptions) ([]cloud.GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	found, err := candidates(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("openstack gc: %w", err)
	}
	items, err := cloud.Collect(ctx, found, o)
	if err != nil {
		return items, fmt.Errorf("openstack gc: %w", err)
	}
	return items, nil
}

func candidates(ctx context.Context, c *api.Client) ([]cloud.Candidate, error) {
	var found []cloud.Candidate
	servers, err := c.Servers(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range servers {
		if s.Metadata[CreatedByKey] != CreatedBy {
			continue
		}
		found = append(found, cloud.Candidate{Kind: gcServer, ID: s.ID, Created: s.Created, Delete: func(ctx context.Context) error {
			if err := c.DeleteServer(ctx, s.ID); err != nil {
				return err
			}
			// Its port is collected next, and Neutron frees it only once
			// the server is gone.
			return c.WaitDeleted(ctx, s.ID, deletePoll)
		}})
	}
	fips, err := c.FloatingIPs(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, f := range fips {
		if strings.HasPrefix(f.Description, describedPrefix) {
			found = append(found, cloud.Candidate{Kind: gcFloatingIP, ID: f.ID, Created: f.Created, Delete: func(ctx context.Context) error {
				return c.DeleteFloatingIP(ctx, f.ID)
			}})
		}
	}
	ports, err := c.Ports(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, p := range ports {
		if strings.HasPrefix(p.Description, describedPrefix) {
			found = append(found, cloud.Candidate{Kind: gcPort, ID: p.ID, Created: p.Created, Delete: func(ctx context.Context) error {
				return c.DeletePort(ctx, p.ID)
			}})
		}
	}
	groups, err := c.SecurityGroups(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		if created, ours := cloud.TimeFromName(groupPrefix, g.Name); ours {
			found = append(found, cloud.Candidate{Kind: gcSecurityGroup, ID: g.ID, Created: created, Delete: func(ctx context.Context) error {
				return c.DeleteSecurityGroup(ctx, g.ID)
			}})
		}
	}
	keys, err := c.KeyPairs(ctx)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if created, ours := cloud.TimeFromName(keyPrefix, k.Name); ours {
			found = append(found, cloud.Candidate{Kind: gcKey, ID: k.Name, Created: created, Delete: func(ctx context.Context) error {
				return c.DeleteKeyPair(ctx, k.Name)
			}})
		}
	}
	images, err := c.Images(ctx, ImageTag)
	if err != nil {
		return nil, err
	}
	for _, im := range images {
		if !slices.Contains(im.Tags, ImageTag) || isRelease(im.Tags) {
			continue // not strata's, or a release's (plume prune collects those)
		}
		found = append(found, cloud.Candidate{Kind: gcImage, ID: im.ID, Created: im.Created, Delete: func(ctx context.Context) error {
			return c.DeleteImage(ctx, im.ID)
		}})
	}
	return found, nil
}
