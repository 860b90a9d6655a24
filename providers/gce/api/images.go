package api

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
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
	// Deprecated is the deprecation state (DEPRECATED, OBSOLETE,
	// DELETED), "" for an active image.
	Deprecated string
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
	out := &Image{Name: img.Name, Family: img.Family, Status: img.Status, SelfLink: img.SelfLink,
		Created: parseTime(img.CreationTimestamp), Labels: img.Labels, DiskSizeGB: img.DiskSizeGb}
	if d := img.Deprecated; d != nil && d.State != "ACTIVE" {
		out.Deprecated = d.State
	}
	return out
}

// DeprecateImage marks an image deprecated in favour of replacement (an
// image's name in the project; "" for none), as families move on to a
// newer image; state "" makes it active again.
func (c *Client) DeprecateImage(ctx context.Context, name, state, replacement string) (*Operation, error) {
	status := &compute.DeprecationStatus{State: state}
	if state == "" {
		status.State = "ACTIVE"
		status.ForceSendFields = []string{"State"}
	}
	if replacement != "" {
		status.Replacement = fmt.Sprintf("projects/%s/global/images/%s", c.project, replacement)
	}
	var o *compute.Operation
	err := c.do(ctx, "deprecate image "+name, "image", name, func(ctx context.Context) error {
		var err error
		o, err = c.compute.Images.Deprecate(c.project, name, status).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return globalOp(o, "image "+name), nil
}

// PublicMember and ImageUserRole are who a public image is shared with,
// and how: any Google account may make disks of it.
const (
	PublicMember  = "allAuthenticatedUsers"
	ImageUserRole = "roles/compute.imageUser"
)

// ImagePublic says whether an image is shared with PublicMember.
func (c *Client) ImagePublic(ctx context.Context, name string) (bool, error) {
	p, err := c.imagePolicy(ctx, name)
	if err != nil {
		return false, err
	}
	for _, b := range p.Bindings {
		if b.Role == ImageUserRole && slices.Contains(b.Members, PublicMember) {
			return true, nil
		}
	}
	return false, nil
}

func (c *Client) imagePolicy(ctx context.Context, name string) (*compute.Policy, error) {
	var p *compute.Policy
	err := c.do(ctx, "get IAM policy of image "+name, "image", name, func(ctx context.Context) error {
		var err error
		p, err = c.compute.Images.GetIamPolicy(c.project, name).Context(ctx).Do()
		return err
	})
	return p, err
}

// MakeImagePublic shares an image with PublicMember (read, add the
// binding, write back with the read's etag: a concurrent change makes
// the write fail rather than be lost).
func (c *Client) MakeImagePublic(ctx context.Context, name string) error {
	p, err := c.imagePolicy(ctx, name)
	if err != nil {
		return err
	}
	for _, b := range p.Bindings {
		if b.Role == ImageUserRole && slices.Contains(b.Members, PublicMember) {
			return nil
		}
	}
	p.Bindings = append(p.Bindings, &compute.Binding{Role: ImageUserRole, Members: []string{PublicMember}})
	return c.do(ctx, "make image "+name+" public", "image", name, func(ctx context.Context) error {
		_, err := c.compute.Images.SetIamPolicy(c.project, name, &compute.GlobalSetPolicyRequest{Policy: p}).Context(ctx).Do()
		return err
	})
}
