package api

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/digitalocean/godo"
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

// Image is one of the account's images.
type Image struct {
	ID                 int
	Name, Distribution string
	Status             string
	Tags               []string
	Created            time.Time
	SizeGB             float64
}

func imageOf(i *godo.Image) Image {
	out := Image{ID: i.ID, Name: i.Name, Distribution: i.Distribution, Status: i.Status, Tags: i.Tags, SizeGB: i.SizeGigaBytes}
	out.Created, _ = time.Parse(time.RFC3339, i.Created)
	return out
}

// ImportSpec is a custom image to import from a URL DigitalOcean can
// fetch.
type ImportSpec struct {
	Name, URL, Region, Distribution string
	Tags                            []string
	// Poll is how often the import is looked at (default 10 s).
	Poll time.Duration
}

// ImportImage imports a custom image and waits until it is available (or
// ctx ends). An import that fails says why, and the image it left is
// deleted.
func (c *Client) ImportImage(ctx context.Context, s ImportSpec) (Image, error) {
	op := fmt.Sprintf("import image %s from %s", s.Name, s.URL)
	if s.Poll == 0 {
		s.Poll = 10 * time.Second
	}
	i, _, err := c.once.Images.Create(ctx, &godo.CustomImageCreateRequest{Name: s.Name, Url: s.URL, Region: s.Region, Distribution: s.Distribution, Tags: s.Tags})
	if err != nil {
		return Image{}, wrap(op, err)
	}
	for {
		switch i.Status {
		case "available":
			return imageOf(i), nil
		case "deleted", "retired":
			return Image{}, fmt.Errorf("%s: image %d is %s: %s", op, i.ID, i.Status, i.ErrorMessage)
		}
		select {
		case <-ctx.Done():
			return Image{}, fmt.Errorf("%s: image %d is still %s: %w", op, i.ID, i.Status, context.Cause(ctx))
		case <-time.After(s.Poll):
		}
		if i, _, err = c.godo.Images.GetByID(ctx, i.ID); err != nil {
			return Image{}, wrap(op, err)
		}
	}
}

// Images lists the account's own images.
func (c *Client) Images(ctx context.Context) ([]Image, error) {
	is, err := all(ctx, "list images", func(o *godo.ListOptions) ([]godo.Image, *godo.Response, error) {
		return c.godo.Images.ListUser(ctx, o)
	})
	if err != nil {
		return nil, err
	}
	var out []Image
	for i := range is {
		out = append(out, imageOf(&is[i]))
	}
	return out, nil
}

// Image reads one image by ID.
func (c *Client) Image(ctx context.Context, id int) (Image, error) {
	i, _, err := c.godo.Images.GetByID(ctx, id)
	if err != nil {
		return Image{}, wrap(fmt.Sprintf("image %d", id), err)
	}
	return imageOf(i), nil
}

// DeleteImage deletes an image; one that is not there is no error.
func (c *Client) DeleteImage(ctx context.Context, id int) error {
	_, err := c.godo.Images.Delete(ctx, id)
	if err = wrap(fmt.Sprintf("delete image %d", id), err); IsNotFound(err) {
		return nil
	}
	return err
}
