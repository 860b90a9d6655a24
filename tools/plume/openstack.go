package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack"
	"github.com/strata-os/strata/providers/openstack/api"
)

// openstackFlags configure the OpenStack part of a release.
type openstackFlags struct {
	openstack.Account `embed:""`
	Image             string `name:"os-image" type:"path" placeholder:"FILE" help:"Disk to upload (default openstack.qcow2 or openstack.raw in --image-dir)."`
	NamePrefix        string `name:"os-name-prefix" default:"strata" help:"Images are PREFIX-CHANNEL-VERSION-ARCH."`
}

// openstackPublisher releases on an OpenStack cloud (Glance) through
// providers/openstack. OpenStack has no release bucket here: its images
// are named in the other clouds' manifests.
type openstackPublisher struct {
	f openstackFlags
	c *api.Client
}

func newOpenStackPublisher(ctx context.Context, a *app, f openstackFlags) (*openstackPublisher, error) {
	c, err := openstack.Connect(ctx, f.Account, a.log, nil)
	if err != nil {
		return nil, err
	}
	return &openstackPublisher{f: f, c: c}, nil
}

func (p *openstackPublisher) Name() string { return "openstack" }

func (p *openstackPublisher) disk(imageDir string) (path, format string, err error) {
	if p.f.Image != "" {
		format = strings.TrimPrefix(filepath.Ext(p.f.Image), ".")
		if format != "qcow2" && format != "raw" {
			return "", "", platform.Usagef("--os-image %s: want a .qcow2 or .raw disk", p.f.Image)
		}
		if _, err := os.Stat(p.f.Image); err != nil {
			return "", "", platform.Usagef("--os-image: %v", err)
		}
		return p.f.Image, format, nil
	}
	if imageDir == "" {
		return "", "", platform.Usagef("openstack: give --image-dir (with openstack.qcow2 or openstack.raw) or --os-image")
	}
	for _, ext := range []string{"qcow2", "raw"} {
		if path := filepath.Join(imageDir, "openstack."+ext); fileExists(path) {
			return path, ext, nil
		}
	}
	return "", "", platform.Usagef("openstack: no openstack.qcow2 or openstack.raw in --image-dir %s", imageDir)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func (p *openstackPublisher) PreRelease(ctx context.Context, r release, imageDir string, step stepFunc) ([]artifact, error) {
	path, format, err := p.disk(imageDir)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("%s-%s-%s-%s", p.f.NamePrefix, r.Channel, r.Version, r.Arch)
	img, err := openstack.PreRelease(ctx, p.c, openstack.PreReleaseSpec{Version: r.Version, Channel: r.Channel, Name: name,
		File: path, DiskFormat: format, Progress: func(s string) { step("", s) }})
	if err != nil {
		return nil, err
	}
	return []artifact{{ID: img.ID, Name: img.Name, Version: img.Version}}, nil
}

func (p *openstackPublisher) Publish(ctx context.Context, r release, step stepFunc) ([]artifact, error) {
	imgs, err := openstack.ReleaseImages(ctx, p.c, r.Channel, r.Version)
	if err != nil {
		return nil, err
	}
	if len(imgs) != 1 {
		return nil, fmt.Errorf("openstack: release %s %s has %d active images, want 1: run plume pre-release first", r.Channel, r.Version, len(imgs))
	}
	img := imgs[0]
	if img.Visibility != "public" {
		step("", "making "+img.ID+" public")
		if err := openstack.Publish(ctx, p.c, img.ID); err != nil {
			return nil, err
		}
	}
	return []artifact{{ID: img.ID, Name: img.Name, Version: img.Version, Public: true}}, nil
}

func (p *openstackPublisher) Indexes([]artifact) (map[string][]byte, error) {
	return map[string][]byte{}, nil
}

// Store: none (see openstackPublisher).
func (p *openstackPublisher) Store() store { return nil }

func (p *openstackPublisher) Releases(ctx context.Context, channel string) ([]artifact, error) {
	imgs, err := openstack.ReleaseImages(ctx, p.c, channel, "")
	if err != nil {
		return nil, err
	}
	var out []artifact
	for _, img := range imgs {
		out = append(out, artifact{ID: img.ID, Name: img.Name, Version: img.Version, Public: img.Visibility == "public"})
	}
	return out, nil
}

func (p *openstackPublisher) Remove(ctx context.Context, r release) error {
	imgs, err := openstack.ReleaseImages(ctx, p.c, r.Channel, r.Version)
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
