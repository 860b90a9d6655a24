package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure"
	"github.com/strata-os/strata/providers/azure/api"
)

// azureFlags configure the Azure part of a release.
type azureFlags struct {
	azure.Account    `embed:""`
	Group            string        `name:"azure-resource-group" placeholder:"NAME" help:"Resource group of the release gallery and storage account (it must exist)."`
	Gallery          string        `name:"azure-gallery" placeholder:"NAME" help:"Azure Compute Gallery of the releases (made if missing)."`
	StorageAccount   string        `name:"azure-storage-account" placeholder:"NAME" help:"Storage account (in --azure-resource-group) the VHD goes up through."`
	Container        string        `name:"azure-container" default:"strata-releases" help:"Container of --azure-storage-account for the VHD while its version is made."`
	VHD              string        `name:"azure-vhd" type:"path" placeholder:"FILE" help:"Disk to upload (default azure.vhd in --image-dir; any disk qemu-img reads is converted)."`
	Regions          []string      `name:"azure-regions" placeholder:"REGION,…" help:"Regions the version is replicated to (default --azure-location, which must be among them)."`
	DefinitionPrefix string        `name:"azure-definition-prefix" default:"strata" help:"A channel's image definition is PREFIX-CHANNEL."`
	Publisher        string        `name:"azure-publisher" default:"strata" help:"Image definitions' publisher."`
	Offer            string        `name:"azure-offer" default:"strata" help:"Image definitions' offer (the SKU is the channel)."`
	Generation       string        `name:"azure-hyperv-generation" enum:"V1,V2" default:"V2" help:"Hyper-V generation of the definitions (V2: UEFI)."`
	Poll             time.Duration `name:"azure-poll" default:"5s" help:"How often a version an earlier run left being made is checked on."`
}

// azurePublisher releases on Azure through providers/azure: a version of
// the channel's gallery image definition, excluded from latest until the
// release. It has no release bucket here: its version is named in the
// other clouds' manifests.
type azurePublisher struct {
	f azureFlags
	c *api.Client
}

func newAzurePublisher(ctx context.Context, a *app, f azureFlags) (*azurePublisher, error) {
	for _, req := range []struct{ flag, value string }{
		{"--azure-resource-group", f.Group}, {"--azure-gallery", f.Gallery}, {"--azure-storage-account", f.StorageAccount},
	} {
		if req.value == "" { // the first missing, always the same one
			return nil, platform.Usagef("azure: %s is required", req.flag)
		}
	}
	if f.Poll <= 0 {
		return nil, platform.Usagef("azure: --azure-poll %v: must be positive", f.Poll)
	}
	c, err := azure.Connect(ctx, f.Account, a.log, func(o *api.Options) {
		if f.Poll < 5*time.Second {
			o.PollFrequency = f.Poll
		}
	})
	if err != nil {
		return nil, err
	}
	return &azurePublisher{f: f, c: c}, nil
}

func (p *azurePublisher) Name() string { return "azure" }

func (p *azurePublisher) gallery() azure.ReleaseGallery {
	return azure.ReleaseGallery{Group: p.f.Group, Gallery: p.f.Gallery, StorageAccount: p.f.StorageAccount, Container: p.f.Container,
		DefinitionPrefix: p.f.DefinitionPrefix, Publisher: p.f.Publisher, Offer: p.f.Offer, HyperVGeneration: p.f.Generation}
}

func (p *azurePublisher) artifact(ri azure.ReleaseImage) artifact {
	return artifact{Region: p.c.Location(), ID: ri.ID, Name: p.gallery().Definition(ri.Channel) + "/" + ri.Version, Version: ri.Version, Public: ri.Latest}
}

func (p *azurePublisher) PreRelease(ctx context.Context, r release, imageDir string, step stepFunc) ([]artifact, error) {
	if r.Arch != "amd64" {
		return nil, platform.Usagef("azure: --arch %s: the channel's image definition is amd64's (one definition per channel)", r.Arch)
	}
	vhd := p.f.VHD
	if vhd == "" {
		if imageDir == "" {
			return nil, platform.Usagef("azure: give --image-dir (with azure.vhd) or --azure-vhd")
		}
		if vhd = filepath.Join(imageDir, "azure.vhd"); !fileExists(vhd) {
			return nil, platform.Usagef("azure: no azure.vhd in --image-dir %s", imageDir)
		}
	} else if !fileExists(vhd) {
		return nil, platform.Usagef("--azure-vhd %s: no such file", vhd)
	}
	ri, err := azure.PreRelease(ctx, p.c, azure.PreReleaseSpec{ReleaseGallery: p.gallery(), Version: r.Version, Channel: r.Channel,
		File: vhd, Regions: p.f.Regions, Poll: p.f.Poll, Progress: func(s string) { step(p.c.Location(), s) }})
	if err != nil {
		return nil, err
	}
	return []artifact{p.artifact(*ri)}, nil
}

func (p *azurePublisher) Publish(ctx context.Context, r release, step stepFunc) ([]artifact, error) {
	imgs, err := azure.ReleaseImages(ctx, p.c, p.gallery(), r.Channel, r.Version)
	if err != nil {
		return nil, err
	}
	if len(imgs) != 1 {
		return nil, fmt.Errorf("azure: release %s %s has %d gallery image versions, want 1: run plume pre-release first", r.Channel, r.Version, len(imgs))
	}
	ri := imgs[0]
	if !ri.Latest {
		step(p.c.Location(), "including "+ri.ID+" in "+p.gallery().Definition(r.Channel)+"'s latest")
		if err := azure.Publish(ctx, p.c, ri.ID); err != nil {
			return nil, err
		}
		ri.Latest = true
	}
	return []artifact{p.artifact(ri)}, nil
}

func (p *azurePublisher) Indexes([]artifact) (map[string][]byte, error) {
	return map[string][]byte{}, nil
}

// Store: none (see azurePublisher).
func (p *azurePublisher) Store() store { return nil }

func (p *azurePublisher) Releases(ctx context.Context, channel string) ([]artifact, error) {
	imgs, err := azure.ReleaseImages(ctx, p.c, p.gallery(), channel, "")
	if err != nil {
		return nil, err
	}
	var out []artifact
	for _, ri := range imgs {
		out = append(out, p.artifact(ri))
	}
	return out, nil
}

func (p *azurePublisher) Remove(ctx context.Context, r release) error {
	imgs, err := azure.ReleaseImages(ctx, p.c, p.gallery(), r.Channel, r.Version)
	if err != nil {
		return err
	}
	for _, ri := range imgs {
		if err := azure.RemoveRelease(ctx, p.c, ri.ID); err != nil {
			return err
		}
	}
	return nil
}
