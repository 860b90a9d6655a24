package gce

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/api"
)

// The image and instance operations ore and plume share: they map flags
// to these and never spell a label or call the API for images
// themselves.

// Upload uploads an image file to Cloud Storage, marked as strata's so GC
// finds it.
func Upload(ctx context.Context, c *api.Client, spec api.UploadSpec) (*api.Object, error) {
	spec.Metadata = ObjectMetadata()
	return c.Upload(ctx, spec)
}

var gsURI = regexp.MustCompile(`^gs://([^/]+)/(.+)$`)

// ImageSpec is an image to make from an uploaded file.
type ImageSpec struct {
	// Source is gs://BUCKET/OBJECT, a .tar.gz holding disk.raw.
	Source       string
	Name, Family string
	// Architecture is X86_64 or ARM64.
	Architecture string
	// Poll is how often the creation is checked on.
	Poll time.Duration
}

// CreateImage makes an image of an uploaded file, labelled as strata's,
// and waits until it is made.
func CreateImage(ctx context.Context, c *api.Client, s ImageSpec) (*api.Image, error) {
	m := gsURI.FindStringSubmatch(s.Source)
	if m == nil {
		return nil, platform.Usagef("--source %q: want gs://BUCKET/OBJECT", s.Source)
	}
	// Checked first: Compute Engine would only say so minutes later.
	obj, err := c.Object(ctx, m[1], m[2])
	if err != nil {
		return nil, fmt.Errorf("--source %s: %w", s.Source, err)
	}
	op, err := c.CreateImage(ctx, api.ImageSpec{Name: s.Name, Family: s.Family, SourceURI: obj.URI(), Architecture: s.Architecture, Labels: Labels(nil)})
	if err == nil {
		err = c.Wait(ctx, op, s.Poll)
	}
	if err != nil {
		return nil, err
	}
	return c.Image(ctx, "", s.Name)
}

// Images lists the images strata made in the project.
func Images(ctx context.Context, c *api.Client) ([]*api.Image, error) {
	return c.Images(ctx, Mine())
}

// DeleteImage deletes an image of the project and waits until it is gone.
func DeleteImage(ctx context.Context, c *api.Client, name string, poll time.Duration) error {
	op, err := c.DeleteImage(ctx, name)
	if err == nil && op == nil {
		err = fmt.Errorf("image %s: not found in project %s", name, c.Project())
	}
	if err == nil {
		err = c.Wait(ctx, op, poll)
	}
	return err
}

// Instances lists the instances strata made in the zone, without their
// metadata: it holds userdata, which may hold secrets.
func Instances(ctx context.Context, c *api.Client) ([]*api.Instance, error) {
	ins, err := c.Instances(ctx, Mine())
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		in.Metadata = nil
	}
	return ins, nil
}

// DeleteInstance deletes an instance (its boot disk goes with it) and
// waits until it is gone.
func DeleteInstance(ctx context.Context, c *api.Client, name string, poll time.Duration) error {
	op, err := c.DeleteInstance(ctx, name)
	if err == nil && op == nil {
		err = fmt.Errorf("instance %s: not found in %s/%s", name, c.Project(), c.Zone())
	}
	if err == nil {
		err = c.Wait(ctx, op, poll)
	}
	return err
}
