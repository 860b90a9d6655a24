package api

import (
	"context"
	"crypto/rand"
	"time"

	"google.golang.org/api/compute/v1"
)

// ImageSpec is an image made from a disk image in Cloud Storage.
type ImageSpec struct {
	Name, Family, Description string
	// SourceURI is the object holding disk.raw in a gzipped tar
	// (https://storage.googleapis.com/BUCKET/OBJECT or gs://BUCKET/OBJECT).
	SourceURI    string
	Architecture string // X86_64, ARM64; empty: unspecified
	Labels       map[string]string
}

// Image is what strata needs to know of an image.
type Image struct {
	Name, Family, Status string
	SelfLink             string
	Created              time.Time
	Labels               map[string]string
	DiskSizeGB           int64
}

// CreateImage starts making an image.
func (c *Client) CreateImage(ctx context.Context, s ImageSpec) (*Operation, error) {
	img := &compute.Image{
		Name: s.Name, Family: s.Family, Description: s.Description, Labels: s.Labels, Architecture: s.Architecture,
		RawDisk: &compute.ImageRawDisk{Source: s.SourceURI},
	}
	// One ID for every attempt of this call: a retry after a lost answer
	// gets the first attempt's operation, not "already exists".
	id := RequestID(rand.Text() + "/" + s.Name)
	var o *compute.Operation
	err := c.do(ctx, "create image "+s.Name, "image", s.Name, func(ctx context.Context) error {
		var err error
		o, err = c.compute.Images.Insert(c.project, img).RequestId(id).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return globalOp(o, "image "+s.Name), nil
}

// Image gets an image of a project (empty: the client's) by name.
func (c *Client) Image(ctx context.Context, project, name string) (*Image, error) {
	if project == "" {
		project = c.project
	}
	var img *compute.Image
	err := c.do(ctx, "get image "+project+"/"+name, "image", project+"/"+name, func(ctx context.Context) error {
		var err error
		img, err = c.compute.Images.Get(project, name).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return image(img), nil
}

// ImageFromFamily gets the newest image of a family that is not
// deprecated.
func (c *Client) ImageFromFamily(ctx context.Context, project, family string) (*Image, error) {
	var img *compute.Image
	err := c.do(ctx, "get image of family "+project+"/"+family, "image family", project+"/"+family, func(ctx context.Context) error {
		var err error
		img, err = c.compute.Images.GetFromFamily(project, family).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return image(img), nil
}

// Images lists the project's images carrying all the labels.
func (c *Client) Images(ctx context.Context, labels map[string]string) ([]*Image, error) {
	var out []*Image
	err := c.do(ctx, "list images", "images", c.project, func(ctx context.Context) error {
		out = nil
		return c.compute.Images.List(c.project).Filter(labelFilter(labels)).MaxResults(500).Context(ctx).Pages(ctx, func(l *compute.ImageList) error {
			for _, img := range l.Items {
				out = append(out, image(img))
			}
			return nil
		})
	})
	return out, err
}

// DeleteImage starts deleting an image; nil and no error when it is
// already gone.
func (c *Client) DeleteImage(ctx context.Context, name string) (*Operation, error) {
	var o *compute.Operation
	err := c.do(ctx, "delete image "+name, "image", name, func(ctx context.Context) error {
		var err error
		o, err = c.compute.Images.Delete(c.project, name).Context(ctx).Do()
		return err
	})
	if IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return globalOp(o, "image "+name), nil
}

func image(img *compute.Image) *Image {
	return &Image{Name: img.Name, Family: img.Family, Status: img.Status, SelfLink: img.SelfLink,
		Created: parseTime(img.CreationTimestamp), Labels: img.Labels, DiskSizeGB: img.DiskSizeGb}
}
