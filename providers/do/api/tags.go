package api

import (
	"context"
	"fmt"
	"strconv"

	"github.com/digitalocean/godo"
)

// TagDroplet adds a tag to a droplet, making the tag first: DigitalOcean
// tags only with a tag that exists.
func (c *Client) TagDroplet(ctx context.Context, id int, tag string) error {
	op := fmt.Sprintf("tag droplet %d %s", id, tag)
	if _, _, err := c.godo.Tags.Create(ctx, &godo.TagCreateRequest{Name: tag}); err != nil {
		return wrap(op, err)
	}
	_, err := c.godo.Tags.TagResources(ctx, tag, &godo.TagResourcesRequest{Resources: dropletResource(id)})
	return wrap(op, err)
}

// UntagDroplet takes a tag off a droplet.
func (c *Client) UntagDroplet(ctx context.Context, id int, tag string) error {
	_, err := c.godo.Tags.UntagResources(ctx, tag, &godo.UntagResourcesRequest{Resources: dropletResource(id)})
	return wrap(fmt.Sprintf("untag droplet %d %s", id, tag), err)
}

func dropletResource(id int) []godo.Resource {
	return []godo.Resource{{ID: strconv.Itoa(id), Type: godo.DropletResourceType}}
}
