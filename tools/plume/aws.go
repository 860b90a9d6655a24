package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws"
	"github.com/strata-os/strata/providers/aws/api"
)

// awsFlags configure the AWS part of a release.
type awsFlags struct {
	aws.Account   `embed:""`
	Regions       []string      `name:"aws-regions" placeholder:"REGION" help:"Regions to release in: the image is imported in the first (default --aws-region) and copied to the others. Repeat, or separate with commas."`
	ReleaseBucket string        `name:"aws-release-bucket" placeholder:"NAME" help:"S3 bucket of the release indexes and manifests (what kola --aws-release-url reads)."`
	Bucket        string        `name:"aws-bucket" placeholder:"NAME" help:"S3 bucket the release's disk is uploaded to (default --aws-release-bucket)."`
	Image         string        `name:"aws-image" type:"path" placeholder:"FILE" help:"Disk to upload (default aws.raw, aws.vmdk or aws.vhd in --image-dir)."`
	NamePrefix    string        `name:"aws-name-prefix" default:"strata" help:"AMI names are PREFIX-CHANNEL-VERSION-ARCH."`
	Poll          time.Duration `name:"aws-poll" default:"10s" help:"How often imports and copies are checked on."`
}

// awsPublisher releases on AWS through providers/aws.
type awsPublisher struct {
	a       *app
	f       awsFlags
	c       *api.Client
	regions []string
}

func newAWSPublisher(ctx context.Context, a *app, f awsFlags) (*awsPublisher, error) {
	if f.ReleaseBucket == "" {
		return nil, platform.Usagef("aws: --aws-release-bucket is required")
	}
	if f.Bucket == "" {
		f.Bucket = f.ReleaseBucket
	}
	if f.Poll <= 0 {
		return nil, platform.Usagef("aws: --aws-poll %v: must be positive", f.Poll)
	}
	c, err := aws.Connect(ctx, f.Account, a.log, nil)
	if err != nil {
		return nil, err
	}
	var regions []string
	for _, r := range f.Regions {
		for _, part := range strings.Split(r, ",") {
			if part = strings.TrimSpace(part); part != "" {
				regions = append(regions, part)
			}
		}
	}
	if len(regions) == 0 {
		regions = []string{c.Region()}
	}
	return &awsPublisher{a: a, f: f, c: c.InRegion(regions[0]), regions: regions}, nil
}

func (p *awsPublisher) Name() string { return "aws" }

// amiArch is EC2's name of a Go architecture.
func amiArch(arch string) string {
	if arch == "amd64" {
		return "x86_64"
	}
	return arch
}

// disk finds the release's disk and its format.
func (p *awsPublisher) disk(imageDir string) (path, format string, err error) {
	if p.f.Image != "" {
		format = strings.TrimPrefix(filepath.Ext(p.f.Image), ".")
		switch format {
		case "raw", "vmdk", "vhd":
		case "img":
			format = "raw"
		default:
			return "", "", platform.Usagef("--aws-image %s: want a .raw, .img, .vmdk or .vhd disk", p.f.Image)
		}
		if _, err := os.Stat(p.f.Image); err != nil {
			return "", "", platform.Usagef("--aws-image: %v", err)
		}
		return p.f.Image, format, nil
	}
	if imageDir == "" {
		return "", "", platform.Usagef("aws: give --image-dir (with aws.raw, aws.vmdk or aws.vhd) or --aws-image")
	}
	for _, ext := range []string{"raw", "vmdk", "vhd"} {
		path := filepath.Join(imageDir, "aws."+ext)
		if _, err := os.Stat(path); err == nil {
			return path, ext, nil
		}
	}
	return "", "", platform.Usagef("aws: no aws.raw, aws.vmdk or aws.vhd in --image-dir %s", imageDir)
}

// diskKey is where the release's disk is uploaded.
func diskKey(r release, format string) string { return r.dir() + "strata_production_aws." + format }

func (p *awsPublisher) PreRelease(ctx context.Context, r release, imageDir string, step stepFunc) ([]artifact, error) {
	path, format, err := p.disk(imageDir)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-%s-%s-%s", p.f.NamePrefix, r.Channel, r.Version, amiArch(r.Arch))
	key := diskKey(r, format)
	// Once the first region's AMI exists the disk is not needed again: a
	// run after a crash does not send it twice.
	have, err := aws.ReleaseImages(ctx, p.c, r.Channel, r.Version, p.regions[:1])
	if err != nil {
		return nil, err
	}
	if len(have) == 0 {
		if _, err := p.c.EnsureBucket(ctx, p.f.Bucket); err != nil {
			return nil, err
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, platform.Usage(err)
		}
		defer f.Close()
		step(p.regions[0], fmt.Sprintf("uploading %s to s3://%s/%s", path, p.f.Bucket, key))
		res, err := p.c.Upload(ctx, p.f.Bucket, key, f, api.UploadOptions{Metadata: aws.ReleaseObjectMetadata(r.Version)})
		if err != nil {
			return nil, err
		}
		if res.Resumed > 0 {
			step(p.regions[0], fmt.Sprintf("upload resumed: %d of %d parts were there", res.Resumed, res.Parts))
		}
	}
	imgs, err := aws.PreRelease(ctx, p.c, aws.PreReleaseSpec{
		Version: r.Version, Channel: r.Channel, Name: name, Bucket: p.f.Bucket, Key: key, Format: format, Arch: amiArch(r.Arch),
		Regions: p.regions, Poll: p.f.Poll, Progress: step,
	})
	return awsArtifacts(imgs), err
}

func awsArtifacts(imgs []aws.ReleaseImage) []artifact {
	var out []artifact
	for _, im := range imgs {
		out = append(out, artifact{Region: im.Region, ID: im.ID, Name: im.Name, Version: im.Version, Public: im.Public})
	}
	return out
}

func (p *awsPublisher) Publish(ctx context.Context, r release, step stepFunc) ([]artifact, error) {
	imgs, err := aws.ReleaseImages(ctx, p.c, r.Channel, r.Version, p.regions)
	if err != nil {
		return nil, err
	}
	for _, region := range p.regions {
		n := 0
		for _, im := range imgs {
			if im.Region == region {
				n++
			}
		}
		if n != 1 {
			return nil, fmt.Errorf("aws: release %s %s has %d AMIs in %s, want 1: run plume pre-release first", r.Channel, r.Version, n, region)
		}
	}
	for _, im := range imgs {
		if !im.Public {
			step(im.Region, "making "+im.ID+" public")
		}
	}
	if err := aws.Publish(ctx, p.c, imgs); err != nil {
		return nil, err
	}
	arts := awsArtifacts(imgs)
	for i := range arts {
		arts[i].Public = true
	}
	return arts, nil
}

// amiIndexName is the AMI list kola's --aws-ami CHANNEL reads.
const amiIndexName = "strata_production_ami_all.json"

func (p *awsPublisher) Indexes(arts []artifact) (map[string][]byte, error) {
	var imgs []aws.ReleaseImage
	for _, a := range arts {
		imgs = append(imgs, aws.ReleaseImage{Region: a.Region, ID: a.ID})
	}
	data, err := json.MarshalIndent(aws.NewAMIIndex(imgs), "", "  ")
	if err != nil {
		return nil, err
	}
	return map[string][]byte{amiIndexName: append(data, '\n')}, nil
}

func (p *awsPublisher) Store() store { return s3Store{c: p.c, bucket: p.f.ReleaseBucket} }

func (p *awsPublisher) Releases(ctx context.Context, channel string) ([]artifact, error) {
	imgs, err := aws.ReleaseImages(ctx, p.c, channel, "", p.regions)
	return awsArtifacts(imgs), err
}

func (p *awsPublisher) Remove(ctx context.Context, r release) error {
	imgs, err := aws.ReleaseImages(ctx, p.c, r.Channel, r.Version, p.regions)
	if err != nil {
		return err
	}
	for _, im := range imgs {
		if err := aws.DeleteReleaseImage(ctx, p.c, im); err != nil {
			return err
		}
	}
	for _, format := range []string{"raw", "vmdk", "vhd"} {
		if err := p.c.DeleteObject(ctx, p.f.Bucket, diskKey(r, format)); err != nil && !api.IsNotFound(err) {
			return err
		}
	}
	return nil
}

// s3Store is a release bucket on S3.
type s3Store struct {
	c      *api.Client
	bucket string
}

func (s s3Store) URL() string { return "s3://" + s.bucket }

func (s s3Store) Put(ctx context.Context, key string, data []byte, contentType string) error {
	if _, err := s.c.EnsureBucket(ctx, s.bucket); err != nil {
		return err
	}
	return s.c.PutObject(ctx, s.bucket, key, data, contentType, nil)
}

func (s s3Store) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := s.c.GetObject(ctx, s.bucket, key, 16<<20)
	if api.IsNotFound(err) {
		return nil, errNotFound
	}
	return data, err
}

func (s s3Store) List(ctx context.Context) ([]string, error) {
	objs, err := s.c.Objects(ctx, s.bucket)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	return keys, nil
}
