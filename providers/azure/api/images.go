package api

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// ImageRef is the image a machine boots: a managed image or gallery
// image version by resource ID, or a marketplace image.
type ImageRef struct {
	ID                             string
	Publisher, Offer, SKU, Version string
}

// ParseImage reads an image as users give it: a resource ID
// (/subscriptions/…/images/NAME, …/galleries/G/images/D/versions/V, or
// …/galleries/G/images/D for the definition's latest version),
// or a marketplace URN PUBLISHER:OFFER:SKU:VERSION (VERSION may be
// "latest").
func ParseImage(s string) (ImageRef, error) {
	if strings.HasPrefix(s, "/") {
		id, err := arm.ParseResourceID(s)
		if err != nil {
			return ImageRef{}, fmt.Errorf("not a resource ID: %w", err)
		}
		switch strings.ToLower(id.ResourceType.String()) {
		case "microsoft.compute/images", "microsoft.compute/galleries/images/versions", "microsoft.compute/galleries/images":
			return ImageRef{ID: s}, nil
		}
		return ImageRef{}, fmt.Errorf("resource type %s is not an image (Microsoft.Compute/images, Microsoft.Compute/galleries/images/versions, or an image definition Microsoft.Compute/galleries/images for its latest version)", id.ResourceType)
	}
	parts := strings.Split(s, ":")
	if len(parts) != 4 || slices.Contains(parts, "") {
		return ImageRef{}, errors.New("neither a resource ID nor a marketplace URN PUBLISHER:OFFER:SKU:VERSION")
	}
	return ImageRef{Publisher: parts[0], Offer: parts[1], SKU: parts[2], Version: parts[3]}, nil
}

// ManagedImage is the resource group and name of a managed image's ID;
// an error for a gallery image version or a marketplace image.
func (r ImageRef) ManagedImage() (group, name string, err error) {
	id, err := arm.ParseResourceID(r.ID)
	if err != nil || !strings.EqualFold(id.ResourceType.String(), "Microsoft.Compute/images") {
		return "", "", fmt.Errorf("%s is not a managed image (Microsoft.Compute/images)", r)
	}
	return id.ResourceGroupName, id.Name, nil
}

func (r ImageRef) String() string {
	if r.ID != "" {
		return r.ID
	}
	return strings.Join([]string{r.Publisher, r.Offer, r.SKU, r.Version}, ":")
}

func (r ImageRef) reference() *armcompute.ImageReference {
	if r.ID != "" {
		return &armcompute.ImageReference{ID: to.Ptr(r.ID)}
	}
	return &armcompute.ImageReference{Publisher: to.Ptr(r.Publisher), Offer: to.Ptr(r.Offer), SKU: to.Ptr(r.SKU), Version: to.Ptr(r.Version)}
}

// CheckImage asks Azure whether the image exists (in the client's
// location, for a marketplace image).
func (c *Client) CheckImage(ctx context.Context, r ImageRef) error {
	op := "image " + r.String()
	if r.ID != "" {
		id, err := arm.ParseResourceID(r.ID)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if err := c.ours(id); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if strings.EqualFold(id.ResourceType.String(), "Microsoft.Compute/images") {
			_, err = c.images.Get(ctx, id.ResourceGroupName, id.Name, nil)
			return wrap(op, err)
		}
		if strings.EqualFold(id.ResourceType.String(), "Microsoft.Compute/galleries/images") {
			_, err = c.galleryImgs.Get(ctx, id.ResourceGroupName, id.Parent.Name, id.Name, nil)
			return wrap(op, err)
		}
		def, gallery := id.Parent, id.Parent.Parent
		_, err = c.galleryVer.Get(ctx, id.ResourceGroupName, gallery.Name, def.Name, id.Name, nil)
		return wrap(op, err)
	}
	if strings.EqualFold(r.Version, "latest") {
		list, err := c.vmImages.List(ctx, c.opts.Location, r.Publisher, r.Offer, r.SKU, nil)
		if err != nil {
			return wrap(op, err)
		}
		if len(list.VirtualMachineImageResourceArray) == 0 {
			return &Error{Op: op, Status: 404, Code: "NotFound", Message: fmt.Sprintf("no versions in %s", c.opts.Location)}
		}
		return nil
	}
	_, err := c.vmImages.Get(ctx, c.opts.Location, r.Publisher, r.Offer, r.SKU, r.Version, nil)
	return wrap(op, err)
}

// errorWithoutURL drops the URL from a transport error, for URLs that
// carry a shared-access signature.
func errorWithoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Image is a managed image, or a gallery image version (Gallery).
type Image struct {
	ID, Name, Group, Location string
	Tags                      map[string]string
	// Source is the page blob the image was made from ("" if another);
	// for a gallery image version, its source managed image or blob.
	Source string
	// HyperVGeneration is V1 (BIOS) or V2 (UEFI).
	HyperVGeneration string
	State            string
	Gallery          bool     `json:",omitempty"`
	Regions          []string `json:",omitempty"` // a version's target regions
	Replication      string   `json:",omitempty"` // a version's aggregated replication state
	// ExcludeFromLatest says a version is never its definition's latest.
	ExcludeFromLatest bool `json:",omitempty"`
}

func imageOf(im *armcompute.Image) Image {
	out := Image{ID: deref(im.ID), Name: deref(im.Name), Location: deref(im.Location), Tags: valueMap(im.Tags)}
	if id, err := arm.ParseResourceID(out.ID); err == nil {
		out.Group = id.ResourceGroupName
	}
	if p := im.Properties; p != nil {
		out.State = deref(p.ProvisioningState)
		if p.HyperVGeneration != nil {
			out.HyperVGeneration = string(*p.HyperVGeneration)
		}
		if p.StorageProfile != nil && p.StorageProfile.OSDisk != nil {
			out.Source = deref(p.StorageProfile.OSDisk.BlobURI)
		}
	}
	return out
}

// Images lists the subscription's managed images, in every group.
func (c *Client) Images(ctx context.Context) ([]Image, error) {
	pager := c.images.NewListPager(nil)
	var out []Image
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, wrap("list images", err)
		}
		for _, im := range page.Value {
			out = append(out, imageOf(im))
		}
	}
	return out, nil
}

// Image reads one managed image.
func (c *Client) Image(ctx context.Context, group, name string) (Image, error) {
	res, err := c.images.Get(ctx, group, name, nil)
	if err != nil {
		return Image{}, wrap(fmt.Sprintf("image %s in resource group %s", name, group), err)
	}
	return imageOf(&res.Image), nil
}

// ImageSpec is a managed image to make from an uploaded VHD.
type ImageSpec struct {
	Group, Name string
	// BlobURI is the page blob holding the fixed VHD.
	BlobURI string
	// HyperVGeneration is V1 (BIOS) or V2 (UEFI); default V2, which
	// strata's disks boot under.
	HyperVGeneration string
	Tags             map[string]string
}

// CreateImage makes a managed Linux image from a VHD page blob and waits
// until it is there. Making one that is there already with the same
// source is no error (a rerun); with another source it is Azure's
// conflict.
func (c *Client) CreateImage(ctx context.Context, s ImageSpec) (Image, error) {
	op := fmt.Sprintf("create image %s in resource group %s", s.Name, s.Group)
	gen := armcompute.HyperVGenerationTypesV2
	switch strings.ToUpper(s.HyperVGeneration) {
	case "", "V2":
	case "V1":
		gen = armcompute.HyperVGenerationTypesV1
	default:
		return Image{}, fmt.Errorf("%s: Hyper-V generation %q is neither V1 nor V2", op, s.HyperVGeneration)
	}
	img := armcompute.Image{
		Location: to.Ptr(c.opts.Location),
		Tags:     ptrMap(s.Tags),
		Properties: &armcompute.ImageProperties{
			HyperVGeneration: &gen,
			StorageProfile: &armcompute.ImageStorageProfile{OSDisk: &armcompute.ImageOSDisk{
				OSType:  to.Ptr(armcompute.OperatingSystemTypesLinux),
				OSState: to.Ptr(armcompute.OperatingSystemStateTypesGeneralized),
				BlobURI: to.Ptr(s.BlobURI),
				Caching: to.Ptr(armcompute.CachingTypesReadWrite),
			}},
		},
	}
	p, err := c.images.BeginCreateOrUpdate(ctx, s.Group, s.Name, img, nil)
	if err != nil {
		return Image{}, wrap(op, errorWithoutURL(err))
	}
	res, err := p.PollUntilDone(ctx, c.pollOptions())
	if err != nil {
		return Image{}, wrap(op, errorWithoutURL(err))
	}
	return imageOf(&res.Image), nil
}

// DeleteImage deletes a managed image and waits until it is gone; one
// that is not there is no error.
func (c *Client) DeleteImage(ctx context.Context, group, name string) error {
	op := fmt.Sprintf("delete image %s in resource group %s", name, group)
	p, err := c.images.BeginDelete(ctx, group, name, nil)
	return deleted(ctx, c, op, p, err)
}

// ours checks that a resource ID is in the client's subscription, whose
// clients every call goes through.
func (c *Client) ours(id *arm.ResourceID) error {
	if !strings.EqualFold(id.SubscriptionID, c.opts.Subscription) {
		return fmt.Errorf("it is in subscription %s, not %s (pass --azure-subscription %s)", id.SubscriptionID, c.opts.Subscription, id.SubscriptionID)
	}
	return nil
}
