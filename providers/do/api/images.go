package api

import (
	"context"
	"strconv"
)

// CheckImage asks DigitalOcean whether an image (slug or ID) is there.
func (c *Client) CheckImage(ctx context.Context, image string) error {
	var err error
	if id, perr := strconv.Atoi(image); perr == nil {
		_, _, err = c.godo.Images.GetByID(ctx, id)
	} else {
		_, _, err = c.godo.Images.GetBySlug(ctx, image)
	}
	return wrap("image "+image, err)
}
