package aws

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/api"
)

// The image operations ore and plume share: they map flags to these and
// never spell a tag or call the API for images themselves.

// ImportSpec is an AMI to make from a disk uploaded to S3.
type ImportSpec struct {
	Bucket, Key string
	// Format is raw, vmdk or vhd; Arch x86_64 or arm64.
	Format, Arch string
	// Name is the AMI's, unique in the region.
	Name string
	// Poll is how often the import is checked on.
	Poll time.Duration
	// Tags are more tags for the snapshot and AMI; Token, if set, makes
	// the import idempotent (see api.Client.ImportImage).
	Tags  map[string]string
	Token string
}

// ImportImage imports the uploaded disk as a snapshot and registers an
// AMI of it, both tagged as strata's.
func ImportImage(ctx context.Context, c *api.Client, s ImportSpec) (*api.Image, error) {
	tags := map[string]string{"Name": s.Name}
	for k, v := range s.Tags {
		tags[k] = v
	}
	return c.ImportImage(ctx, s.Bucket, s.Key, s.Format, s.Name, s.Arch, Tags(tags), s.Poll, s.Token)
}

// Upload uploads an image file to S3, marked as strata's so GC finds it.
func Upload(ctx context.Context, c *api.Client, bucket, key string, f *os.File, opts api.UploadOptions) (*api.UploadResult, error) {
	opts.Metadata = ObjectMetadata()
	return c.Upload(ctx, bucket, key, f, opts)
}

// Images lists the AMIs strata made in the client's region.
func Images(ctx context.Context, c *api.Client) ([]api.Image, error) {
	return c.Images(ctx, Mine())
}

// FindImage finds one of the account's AMIs in the client's region.
func FindImage(ctx context.Context, c *api.Client, id string) (api.Image, error) {
	imgs, err := c.Images(ctx, nil)
	if err != nil {
		return api.Image{}, err
	}
	for _, im := range imgs {
		if im.ID == id {
			return im, nil
		}
	}
	return api.Image{}, fmt.Errorf("image %s: not found among this account's images in %s", id, c.Region())
}

// CopyImage copies an AMI of the client's region to another, named name
// (the source's name when empty), tagged as strata's.
func CopyImage(ctx context.Context, c *api.Client, src api.Image, region, name string, poll time.Duration) (*api.Image, error) {
	if region == c.Region() {
		return nil, platform.Usagef("--to-region %s: the image is already there", region)
	}
	if name == "" {
		name = src.Name
	}
	return c.InRegion(region).CopyImage(ctx, c.Region(), src.ID, name, Tags(map[string]string{"Name": name}), poll)
}
