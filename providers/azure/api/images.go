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
// (/subscriptions/…/images/NAME, or …/galleries/G/images/D/versions/V),
// or a marketplace URN PUBLISHER:OFFER:SKU:VERSION (VERSION may be
// "latest").
func ParseImage(s string) (ImageRef, error) {
	if strings.HasPrefix(s, "/") {
		id, err := arm.ParseResourceID(s)
		if err != nil {
			return ImageRef{}, fmt.Errorf("not a resource ID: %w", err)
		}
		switch strings.ToLower(id.ResourceType.String()) {
		case "microsoft.compute/images", "microsoft.compute/galleries/images/versions":
			return ImageRef{ID: s}, nil
		}
		return ImageRef{}, fmt.Errorf("resource type %s is not an image (Microsoft.Compute/images or Microsoft.Compute/galleries/images/versions)", id.ResourceType)
	}
	parts := strings.Split(s, ":")
	if len(parts) != 4 || slices.Contains(parts, "") {
		return ImageRef{}, errors.New("neither a resource ID nor a marketplace URN PUBLISHER:OFFER:SKU:VERSION")
	}
	return ImageRef{Publisher: parts[0], Offer: parts[1], SKU: parts[2], Version: parts[3]}, nil
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
		if strings.EqualFold(id.ResourceType.String(), "Microsoft.Compute/images") {
			_, err = c.images.Get(ctx, id.ResourceGroupName, id.Name, nil)
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
