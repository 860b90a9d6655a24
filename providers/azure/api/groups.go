package api

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v4"
)

// Group is a resource group.
type Group struct {
	Name  string
	Tags  map[string]string
	State string // provisioningState: Succeeded, Deleting
}

// CreateGroup creates (or updates the tags of) a resource group in the
// client's location.
func (c *Client) CreateGroup(ctx context.Context, name string, tags map[string]string) error {
	_, err := c.groups.CreateOrUpdate(ctx, name, armresources.ResourceGroup{Location: to.Ptr(c.opts.Location), Tags: ptrMap(tags)}, nil)
	return wrap(fmt.Sprintf("create resource group %s", name), err)
}

// DeleteGroup deletes a resource group and everything in it, and waits
// until Azure says it is gone. A group that is not there is no error.
func (c *Client) DeleteGroup(ctx context.Context, name string) error {
	op := fmt.Sprintf("delete resource group %s", name)
	p, err := c.groups.BeginDelete(ctx, name, nil)
	return deleted(ctx, c, op, p, err)
}

// Groups lists the resource groups with a tag (of any value if value is
// empty).
func (c *Client) Groups(ctx context.Context, tag, value string) ([]Group, error) {
	filter := fmt.Sprintf("tagName eq '%s'", tag)
	if value != "" {
		filter += fmt.Sprintf(" and tagValue eq '%s'", value)
	}
	pager := c.groups.NewListPager(&armresources.ResourceGroupsClientListOptions{Filter: &filter})
	var out []Group
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, wrap("list resource groups", err)
		}
		for _, g := range page.Value {
			gr := Group{Name: deref(g.Name), Tags: valueMap(g.Tags)}
			if g.Properties != nil {
				gr.State = deref(g.Properties.ProvisioningState)
			}
			out = append(out, gr)
		}
	}
	return out, nil
}

// ptrMap is a tag map as the SDK takes it.
func ptrMap(m map[string]string) map[string]*string {
	if m == nil {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = to.Ptr(v)
	}
	return out
}

func valueMap(m map[string]*string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = deref(v)
	}
	return out
}
