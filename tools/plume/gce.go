package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce"
	"github.com/strata-os/strata/providers/gce/api"
)

// gceFlags configure the Compute Engine part of a release.
type gceFlags struct {
	gce.Account   `embed:""`
	ReleaseBucket string        `name:"gce-release-bucket" placeholder:"NAME" help:"Cloud Storage bucket of the release manifests."`
	Bucket        string        `name:"gce-bucket" placeholder:"NAME" help:"Cloud Storage bucket the release's disk is uploaded to (default --gce-release-bucket)."`
	Image         string        `name:"gce-image" type:"path" placeholder:"FILE" help:"Disk to upload, a .tar.gz holding disk.raw (default gce.tar.gz in --image-dir)."`
	NamePrefix    string        `name:"gce-name-prefix" default:"strata" help:"Images are PREFIX-CHANNEL-VERSION-ARCH, in family PREFIX-CHANNEL."`
	Poll          time.Duration `name:"gce-poll" default:"5s" help:"How often image operations are checked on."`
}

// gcePublisher releases on Compute Engine through providers/gce.
type gcePublisher struct {
	f gceFlags
	c *api.Client
}

func newGCEPublisher(ctx context.Context, a *app, f gceFlags) (*gcePublisher, error) {
	if f.ReleaseBucket == "" {
		return nil, platform.Usagef("gce: --gce-release-bucket is required")
	}
	if f.Bucket == "" {
		f.Bucket = f.ReleaseBucket
	}
	if f.Poll <= 0 {
		return nil, platform.Usagef("gce: --gce-poll %v: must be positive", f.Poll)
	}
	c, err := gce.Connect(ctx, f.Account, a.log, nil)
	if err != nil {
		return nil, err
	}
	return &gcePublisher{f: f, c: c}, nil
}

func (p *gcePublisher) Name() string { return "gce" }

// gceArch is Compute Engine's name of a Go architecture.
func gceArch(arch string) string {
	if arch == "arm64" {
		return "ARM64"
	}
	return "X86_64"
}

func (p *gcePublisher) imageName(r release) string {
	return gce.ReleaseImageName(p.f.NamePrefix, r.Channel, r.Version, r.Arch)
}

func (p *gcePublisher) family(r release) string { return p.f.NamePrefix + "-" + r.Channel }

// gceDiskKey is where the release's disk is uploaded.
func gceDiskKey(r release) string { return r.dir() + "strata_production_gce.tar.gz" }

func (p *gcePublisher) disk(imageDir string) (string, error) {
	path := p.f.Image
	if path == "" {
		if imageDir == "" {
			return "", platform.Usagef("gce: give --image-dir (with gce.tar.gz) or --gce-image")
		}
		path = filepath.Join(imageDir, "gce.tar.gz")
	}
	if !strings.HasSuffix(path, ".tar.gz") {
		return "", platform.Usagef("gce: %s: want a .tar.gz holding disk.raw (ore qemu build-image --format gce-tar makes one)", path)
	}
	if _, err := os.Stat(path); err != nil {
		return "", platform.Usagef("gce: %v", err)
	}
	return path, nil
}

func (p *gcePublisher) PreRelease(ctx context.Context, r release, imageDir string, step stepFunc) ([]artifact, error) {
	path, err := p.disk(imageDir)
	if err != nil {
		return nil, err
	}
	if _, err := gce.ReleaseLabels(r.Version, r.Channel); err != nil {
		return nil, platform.Usage(fmt.Errorf("gce: %w", err))
	}
	name, key := p.imageName(r), gceDiskKey(r)
	// Once the image exists the disk is not needed again.
	if _, err := p.c.Image(ctx, "", name); api.IsNotFound(err) {
		f, err := os.Open(path)
		if err != nil {
			return nil, platform.Usage(err)
		}
		defer f.Close()
		step("", fmt.Sprintf("uploading %s to gs://%s/%s", path, p.f.Bucket, key))
		if _, err := p.c.Upload(ctx, api.UploadSpec{Bucket: p.f.Bucket, Object: key, Body: f, Metadata: gce.ReleaseObjectMetadata(r.Version)}); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	img, err := gce.PreRelease(ctx, p.c, gce.PreReleaseSpec{Version: r.Version, Channel: r.Channel, Name: name, Family: p.family(r),
		Source: "gs://" + p.f.Bucket + "/" + key, Architecture: gceArch(r.Arch), Poll: p.f.Poll, Progress: func(s string) { step("", s) }})
	if err != nil {
		return nil, err
	}
	return []artifact{{ID: img.Name, Name: img.Family, Version: img.Version}}, nil
}

func (p *gcePublisher) Publish(ctx context.Context, r release, step stepFunc) ([]artifact, error) {
	imgs, err := gce.ReleaseImages(ctx, p.c, r.Channel, r.Version)
	if err != nil {
		return nil, err
	}
	if len(imgs) != 1 {
		return nil, fmt.Errorf("gce: release %s %s has %d images in project %s, want 1: run plume pre-release first", r.Channel, r.Version, len(imgs), p.c.Project())
	}
	img := imgs[0]
	step("", "sharing "+img.Name+" with every account")
	if err := gce.Publish(ctx, p.c, img.Name); err != nil {
		return nil, err
	}
	older, err := gce.DeprecateOlder(ctx, p.c, r.Channel, r.Version, img.Name, p.f.Poll)
	for _, o := range older {
		step("", "deprecated "+o+" for "+img.Name)
	}
	if err != nil {
		return nil, err
	}
	return []artifact{{ID: img.Name, Name: img.Family, Version: img.Version, Public: true}}, nil
}

// Indexes: none of its own; Compute Engine users name the family.
func (p *gcePublisher) Indexes([]artifact) (map[string][]byte, error) {
	return map[string][]byte{}, nil
}

func (p *gcePublisher) Store() store { return gcsStore{c: p.c, bucket: p.f.ReleaseBucket} }

func (p *gcePublisher) Releases(ctx context.Context, channel string) ([]artifact, error) {
	imgs, err := gce.ReleaseImages(ctx, p.c, channel, "")
	if err != nil {
		return nil, err
	}
	var out []artifact
	for _, img := range imgs {
		out = append(out, artifact{ID: img.Name, Name: img.Family, Version: img.Version})
	}
	return out, nil
}

func (p *gcePublisher) Remove(ctx context.Context, r release) error {
	imgs, err := gce.ReleaseImages(ctx, p.c, r.Channel, r.Version)
	if err != nil {
		return err
	}
	for _, img := range imgs {
		if err := gce.DeleteImage(ctx, p.c, img.Name, p.f.Poll); err != nil {
			return err
		}
	}
	return p.c.DeleteObject(ctx, p.f.Bucket, gceDiskKey(r))
}

// gcsStore is a release bucket on Cloud Storage.
type gcsStore struct {
	c      *api.Client
	bucket string
}

func (s gcsStore) URL() string { return "gs://" + s.bucket }

func (s gcsStore) Put(ctx context.Context, key string, data []byte, contentType string) error {
	return s.c.PutObject(ctx, s.bucket, key, data, contentType)
}

func (s gcsStore) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := s.c.ReadObject(ctx, s.bucket, key, 16<<20)
	if api.IsNotFound(err) {
		return nil, errNotFound
	}
	return data, err
}

func (s gcsStore) List(ctx context.Context) ([]string, error) {
	objs, err := s.c.Objects(ctx, s.bucket, "")
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Name)
	}
	return keys, nil
}
