package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// GalleryImageSpec is an image definition in an Azure Compute Gallery:
// what every version of it is.
type GalleryImageSpec struct {
	Group, Gallery, Name  string
	Publisher, Offer, SKU string
	// HyperVGeneration is V1 (BIOS) or V2 (UEFI); default V2.
	HyperVGeneration string
	Tags             map[string]string
}

// EnsureGallery makes a gallery if it is not there.
func (c *Client) EnsureGallery(ctx context.Context, group, name string, tags map[string]string) error {
	op := fmt.Sprintf("gallery %s in resource group %s", name, group)
	if _, err := c.galleries.Get(ctx, group, name, nil); err == nil {
		return nil
	} else if !IsNotFound(err) || Code(wrap(op, err)) == "ResourceGroupNotFound" {
		return wrap(op, err)
	}
	p, err := c.galleries.BeginCreateOrUpdate(ctx, group, name, armcompute.Gallery{Location: to.Ptr(c.opts.Location), Tags: ptrMap(tags)}, nil)
	if err != nil {
		return wrap("create "+op, err)
	}
	_, err = p.PollUntilDone(ctx, c.pollOptions())
	return wrap("create "+op, err)
}

// EnsureGalleryImage makes an image definition if it is not there; one
// that is there must say the same (publisher, offer, SKU, generation),
// since Azure allows no change to them.
func (c *Client) EnsureGalleryImage(ctx context.Context, s GalleryImageSpec) error {
	op := fmt.Sprintf("image definition %s in gallery %s", s.Name, s.Gallery)
	gen := armcompute.HyperVGenerationV2
	switch strings.ToUpper(s.HyperVGeneration) {
	case "", "V2":
	case "V1":
		gen = armcompute.HyperVGenerationV1
	default:
		return fmt.Errorf("%s: Hyper-V generation %q is neither V1 nor V2", op, s.HyperVGeneration)
	}
	got, err := c.galleryImgs.Get(ctx, s.Group, s.Gallery, s.Name, nil)
	if err == nil {
		p := got.Properties
		have := []string{deref(p.Identifier.Publisher), deref(p.Identifier.Offer), deref(p.Identifier.SKU), string(deref(p.HyperVGeneration))}
		want := []string{s.Publisher, s.Offer, s.SKU, string(gen)}
		for i, f := range []string{"publisher", "offer", "SKU", "Hyper-V generation"} {
			if !strings.EqualFold(have[i], want[i]) {
				return fmt.Errorf("%s: it is there with %s %q, not %q (Azure allows no change; use another definition)", op, f, have[i], want[i])
			}
		}
		return nil
	}
	if !IsNotFound(err) {
		return wrap(op, err)
	}
	def := armcompute.GalleryImage{
		Location: to.Ptr(c.opts.Location),
		Tags:     ptrMap(s.Tags),
		Properties: &armcompute.GalleryImageProperties{
			OSType:           to.Ptr(armcompute.OperatingSystemTypesLinux),
			OSState:          to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
			HyperVGeneration: &gen,
			Identifier:       &armcompute.GalleryImageIdentifier{Publisher: to.Ptr(s.Publisher), Offer: to.Ptr(s.Offer), SKU: to.Ptr(s.SKU)},
		},
	}
	p, err := c.galleryImgs.BeginCreateOrUpdate(ctx, s.Group, s.Gallery, s.Name, def, nil)
	if err != nil {
		return wrap("create "+op, err)
	}
	_, err = p.PollUntilDone(ctx, c.pollOptions())
	return wrap("create "+op, err)
}

// GalleryVersionSpec is a version of an image definition, made from a
// managed image or from a VHD page blob in a storage account.
type GalleryVersionSpec struct {
	Group, Gallery, Image, Version string
	// SourceImage is a managed image's ID; or else BlobURI and the
	// resource ID of its StorageAccount.
	SourceImage             string
	BlobURI, StorageAccount string
	// Regions it is replicated to (default: the client's location,
	// which it must include).
	Regions []string
	Tags    map[string]string
	// ExcludeFromLatest keeps it from being the definition's latest,
	// which a VM naming the definition boots (a release not yet out).
	ExcludeFromLatest bool
}

// CreateGalleryImageVersion makes a version and waits until it is
// replicated to every region.
func (c *Client) CreateGalleryImageVersion(ctx context.Context, s GalleryVersionSpec) (Image, error) {
	op := fmt.Sprintf("create version %s of image definition %s in gallery %s", s.Version, s.Image, s.Gallery)
	storage := &armcompute.GalleryImageVersionStorageProfile{}
	switch {
	case s.SourceImage != "":
		storage.Source = &armcompute.GalleryArtifactVersionFullSource{ID: to.Ptr(s.SourceImage)}
	case s.BlobURI != "" && s.StorageAccount != "":
		storage.OSDiskImage = &armcompute.GalleryOSDiskImage{Source: &armcompute.GalleryDiskImageSource{URI: to.Ptr(s.BlobURI), StorageAccountID: to.Ptr(s.StorageAccount)}}
	default:
		return Image{}, fmt.Errorf("%s: no source: a managed image, or a blob and its storage account", op)
	}
	regions := s.Regions
	if len(regions) == 0 {
		regions = []string{c.opts.Location}
	}
	var targets []*armcompute.TargetRegion
	for _, r := range regions {
		targets = append(targets, &armcompute.TargetRegion{Name: to.Ptr(r), RegionalReplicaCount: to.Ptr[int32](1)})
	}
	v := armcompute.GalleryImageVersion{
		Location: to.Ptr(c.opts.Location),
		Tags:     ptrMap(s.Tags),
		Properties: &armcompute.GalleryImageVersionProperties{
			StorageProfile:    storage,
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{TargetRegions: targets, ExcludeFromLatest: to.Ptr(s.ExcludeFromLatest)},
		},
	}
	p, err := c.galleryVer.BeginCreateOrUpdate(ctx, s.Group, s.Gallery, s.Image, s.Version, v, nil)
	if err != nil {
		return Image{}, wrap(op, errorWithoutURL(err))
	}
	res, err := p.PollUntilDone(ctx, c.pollOptions())
	if err != nil {
		return Image{}, wrap(op, errorWithoutURL(err))
	}
	return versionOf(&res.GalleryImageVersion), nil
}

// versionOf is a gallery image version as an Image: its Source is the
// managed image or blob it was made from, and Regions where it is.
func versionOf(v *armcompute.GalleryImageVersion) Image {
	out := Image{ID: deref(v.ID), Name: deref(v.Name), Location: deref(v.Location), Tags: valueMap(v.Tags), Gallery: true}
	if id, err := arm.ParseResourceID(out.ID); err == nil {
		out.Group = id.ResourceGroupName
	}
	if p := v.Properties; p != nil {
		out.State = string(deref(p.ProvisioningState))
		if sp := p.StorageProfile; sp != nil {
			if sp.Source != nil {
				out.Source = deref(sp.Source.ID)
			}
			if sp.OSDiskImage != nil && sp.OSDiskImage.Source != nil && out.Source == "" {
				out.Source = deref(sp.OSDiskImage.Source.URI)
			}
		}
		if p.PublishingProfile != nil {
			for _, t := range p.PublishingProfile.TargetRegions {
				out.Regions = append(out.Regions, deref(t.Name))
			}
			out.ExcludeFromLatest = deref(p.PublishingProfile.ExcludeFromLatest)
		}
		if rs := p.ReplicationStatus; rs != nil {
			out.Replication = string(deref(rs.AggregatedState))
		}
	}
	return out
}

// GalleryImageVersion reads one version of an image definition.
func (c *Client) GalleryImageVersion(ctx context.Context, group, gallery, image, version string) (Image, error) {
	r, err := c.galleryVer.Get(ctx, group, gallery, image, version, nil)
	if err != nil {
		return Image{}, wrap(fmt.Sprintf("version %s of image definition %s in gallery %s", version, image, gallery), err)
	}
	return versionOf(&r.GalleryImageVersion), nil
}

// SetExcludeFromLatest changes whether a version (by resource ID) may be
// its definition's latest, and waits until Azure has done it.
func (c *Client) SetExcludeFromLatest(ctx context.Context, versionID string, exclude bool) (Image, error) {
	id, err := arm.ParseResourceID(versionID)
	if err != nil || !strings.EqualFold(id.ResourceType.String(), "Microsoft.Compute/galleries/images/versions") {
		return Image{}, fmt.Errorf("%s is not a gallery image version", versionID)
	}
	def, gallery := id.Parent, id.Parent.Parent
	op := fmt.Sprintf("update version %s of image definition %s in gallery %s", id.Name, def.Name, gallery.Name)
	p, err := c.galleryVer.BeginUpdate(ctx, id.ResourceGroupName, gallery.Name, def.Name, id.Name, armcompute.GalleryImageVersionUpdate{
		Properties: &armcompute.GalleryImageVersionProperties{
			PublishingProfile: &armcompute.GalleryImageVersionPublishingProfile{ExcludeFromLatest: to.Ptr(exclude)},
		},
	}, nil)
	if err != nil {
		return Image{}, wrap(op, err)
	}
	res, err := p.PollUntilDone(ctx, c.pollOptions())
	if err != nil {
		return Image{}, wrap(op, err)
	}
	return versionOf(&res.GalleryImageVersion), nil
}

// GalleryImageVersions lists every version of every image definition in
// every gallery of the subscription.
func (c *Client) GalleryImageVersions(ctx context.Context) ([]Image, error) {
	var out []Image
	galleries := c.galleries.NewListPager(nil)
	for galleries.More() {
		page, err := galleries.NextPage(ctx)
		if err != nil {
			return nil, wrap("list galleries", err)
		}
		for _, g := range page.Value {
			id, err := arm.ParseResourceID(deref(g.ID))
			if err != nil {
				return nil, fmt.Errorf("gallery %q: %w", deref(g.ID), err)
			}
			defs := c.galleryImgs.NewListByGalleryPager(id.ResourceGroupName, id.Name, nil)
			for defs.More() {
				page, err := defs.NextPage(ctx)
				if err != nil {
					return nil, wrap("list image definitions of gallery "+id.Name, err)
				}
				for _, d := range page.Value {
					versions := c.galleryVer.NewListByGalleryImagePager(id.ResourceGroupName, id.Name, deref(d.Name), nil)
					for versions.More() {
						page, err := versions.NextPage(ctx)
						if err != nil {
							return nil, wrap(fmt.Sprintf("list versions of image definition %s in gallery %s", deref(d.Name), id.Name), err)
						}
						for _, v := range page.Value {
							out = append(out, versionOf(v))
						}
					}
				}
			}
		}
	}
	return out, nil
}

// DeleteGalleryImageVersion deletes a version by its resource ID and
// waits until it is gone; one that is not there is no error.
func (c *Client) DeleteGalleryImageVersion(ctx context.Context, versionID string) error {
	id, err := arm.ParseResourceID(versionID)
	if err != nil || !strings.EqualFold(id.ResourceType.String(), "Microsoft.Compute/galleries/images/versions") {
		return fmt.Errorf("%s is not a gallery image version", versionID)
	}
	def, gallery := id.Parent, id.Parent.Parent
	op := fmt.Sprintf("delete version %s of image definition %s in gallery %s", id.Name, def.Name, gallery.Name)
	if err := c.ours(id); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	p, err := c.galleryVer.BeginDelete(ctx, id.ResourceGroupName, gallery.Name, def.Name, id.Name, nil)
	return deleted(ctx, c, op, p, err)
}
