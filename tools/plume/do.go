package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do"
	"github.com/strata-os/strata/providers/do/api"
)

// doFlags configure the DigitalOcean part of a release.
type doFlags struct {
	do.Account `embed:""`
	ImageURL   string        `name:"do-image-url" placeholder:"URL" help:"Where DigitalOcean fetches the release's disk ({channel}, {arch}, {version} replaced): it imports custom images from URLs, e.g. the disk in another cloud's release bucket."`
	Region     string        `name:"do-region" default:"sfo3" help:"Region the image is imported into."`
	NamePrefix string        `name:"do-name-prefix" default:"strata" help:"Images are PREFIX-CHANNEL-VERSION-ARCH."`
	Poll       time.Duration `name:"do-poll" default:"10s" help:"How often an import is checked on."`
}

// doPublisher releases on DigitalOcean through providers/do. Custom
// images cannot be made public there, and it has no release bucket here:
// its image is named in the other clouds' manifests.
type doPublisher struct {
	f doFlags
	c *api.Client
}

func newDOPublisher(ctx context.Context, a *app, f doFlags) (*doPublisher, error) {
	if f.ImageURL == "" {
		return nil, platform.Usagef("do: --do-image-url is required: DigitalOcean imports an image from a URL it can fetch")
	}
	if f.Poll <= 0 {
		return nil, platform.Usagef("do: --do-poll %v: must be positive", f.Poll)
	}
	c, err := do.Connect(ctx, f.Account, a.log, nil)
	if err != nil {
		return nil, err
	}
	return &doPublisher{f: f, c: c}, nil
}

func (p *doPublisher) Name() string { return "do" }

func (p *doPublisher) PreRelease(ctx context.Context, r release, _ string, step stepFunc) ([]artifact, error) {
	url := strings.NewReplacer("{channel}", r.Channel, "{arch}", r.Arch, "{version}", r.Version).Replace(p.f.ImageURL)
	img, err := do.PreRelease(ctx, p.c, do.PreReleaseSpec{Version: r.Version, Channel: r.Channel, URL: url, Region: p.f.Region, Poll: p.f.Poll,
		Name: fmt.Sprintf("%s-%s-%s-%s", p.f.NamePrefix, r.Channel, r.Version, r.Arch), Progress: func(s string) { step(p.f.Region, s) }})
	if err != nil {
		return nil, err
	}
	return []artifact{{Region: p.f.Region, ID: strconv.Itoa(img.ID), Name: img.Name, Version: img.Version}}, nil
}

func (p *doPublisher) Publish(ctx context.Context, r release, step stepFunc) ([]artifact, error) {
	imgs, err := do.ReleaseImages(ctx, p.c, r.Channel, r.Version)
	if err != nil {
		return nil, err
	}
	if len(imgs) != 1 || imgs[0].Status != "available" {
		return nil, fmt.Errorf("do: release %s %s has %d images (%v), want 1 available: run plume pre-release first", r.Channel, r.Version, len(imgs), imgs)
	}
	step(p.f.Region, fmt.Sprintf("image %d stays the account's: DigitalOcean has no public custom images", imgs[0].ID))
	return []artifact{{Region: p.f.Region, ID: strconv.Itoa(imgs[0].ID), Name: imgs[0].Name, Version: imgs[0].Version}}, nil
}

func (p *doPublisher) Indexes([]artifact) (map[string][]byte, error) { return map[string][]byte{}, nil }

// Store: none (see doPublisher).
func (p *doPublisher) Store() store { return nil }

func (p *doPublisher) Releases(ctx context.Context, channel string) ([]artifact, error) {
	imgs, err := do.ReleaseImages(ctx, p.c, channel, "")
	if err != nil {
		return nil, err
	}
	var out []artifact
	for _, img := range imgs {
		out = append(out, artifact{Region: p.f.Region, ID: strconv.Itoa(img.ID), Name: img.Name, Version: img.Version})
	}
	return out, nil
}

func (p *doPublisher) Remove(ctx context.Context, r release) error {
	imgs, err := do.ReleaseImages(ctx, p.c, r.Channel, r.Version)
	if err != nil {
		return err
	}
	for _, img := range imgs {
		if err := p.c.DeleteImage(ctx, img.ID); err != nil {
			return err
		}
	}
	return nil
}
