package azure

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/azure/api"
)

// The release operations plume calls. A release is a version of its
// channel's image definition in an Azure Compute Gallery (the version is
// the release's, MAJOR.MINOR.PATCH as Azure wants), replicated to the
// regions given and tagged with the release. Until it is released it is
// excluded from the definition's latest, which is what a VM naming the
// definition boots; releasing includes it. GC leaves release versions
// alone (plume prune collects them).

const (
	// ReleaseVersionTag and ReleaseChannelTag are on a release's version.
	ReleaseVersionTag = "strata-release-version"
	ReleaseChannelTag = "strata-release-channel"
)

// isRelease says whether a version's tags mark it as a release's.
func isRelease(tags map[string]string) bool { return tags[ReleaseVersionTag] != "" }

// ReleaseImage is a release's gallery image version.
type ReleaseImage struct {
	ID, Version, Channel, State string
	Regions                     []string
	// Latest says it may be its definition's latest: it was released.
	Latest bool
}

func releaseImage(v api.Image) ReleaseImage {
	return ReleaseImage{ID: v.ID, Version: v.Tags[ReleaseVersionTag], Channel: v.Tags[ReleaseChannelTag], State: v.State,
		Regions: v.Regions, Latest: !v.ExcludeFromLatest}
}

// ReleaseGallery is where a cloud's releases go: a gallery, its image
// definitions (one per channel) and the storage account the VHDs go up
// through, all in one resource group.
type ReleaseGallery struct {
	Group, Gallery, StorageAccount string
	// Container holds the VHDs while their versions are made.
	Container string
	// DefinitionPrefix names a channel's definition PREFIX-CHANNEL; its
	// identifier is Publisher, Offer and the channel as SKU.
	DefinitionPrefix, Publisher, Offer string
	HyperVGeneration                   string
}

// Definition is a channel's image definition.
func (g ReleaseGallery) Definition(channel string) string { return g.DefinitionPrefix + "-" + channel }

// PreReleaseSpec is a release's image to upload.
type PreReleaseSpec struct {
	ReleaseGallery
	Version, Channel string
	File             string // a VHD, or any disk qemu-img reads
	Regions          []string
	// Poll is how often a version an earlier attempt left being made is
	// read until Azure is done with it (default 5 s).
	Poll     time.Duration
	Progress func(step string)
}

// PreRelease makes the release's gallery image version, excluded from
// latest, and returns it. A version an earlier attempt made is used (one
// still being made is waited for, one that failed is deleted and made
// again); the VHD goes up only when there is no version yet, resuming an
// upload cut short, and is deleted once the version holds its copy.
func PreRelease(ctx context.Context, c *api.Client, s PreReleaseSpec) (*ReleaseImage, error) {
	progress := s.Progress
	if progress == nil {
		progress = func(string) {}
	}
	def := s.Definition(s.Channel)
	blob := fmt.Sprintf("%s-%s.vhd", def, s.Version)
	st, err := c.Storage(s.StorageAccount)
	if err != nil {
		return nil, err
	}
	v, err := existingVersion(ctx, c, s, progress)
	if err != nil {
		return nil, err
	}
	if v == nil {
		progress("uploading " + s.File + " to " + st.BlobURL(s.Container, blob))
		up, err := UploadVHD(ctx, c, UploadSpec{File: s.File, Account: s.StorageAccount, Container: s.Container, Blob: blob})
		if err != nil {
			return nil, fmt.Errorf("pre-release %s %s: %w", s.Channel, s.Version, err)
		}
		now := time.Now()
		if err := c.EnsureGallery(ctx, s.Group, s.Gallery, Tags(nil, now)); err != nil {
			return nil, err
		}
		if err := c.EnsureGalleryImage(ctx, api.GalleryImageSpec{Group: s.Group, Gallery: s.Gallery, Name: def, Publisher: s.Publisher,
			Offer: s.Offer, SKU: s.Channel, HyperVGeneration: s.HyperVGeneration, Tags: Tags(nil, now)}); err != nil {
			return nil, err
		}
		progress(fmt.Sprintf("making version %s of %s, replicated to %s", s.Version, def, strings.Join(regionsOr(s.Regions, c.Location()), ", ")))
		account := fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Storage/storageAccounts/%s", c.Subscription(), s.Group, s.StorageAccount)
		made, err := c.CreateGalleryImageVersion(ctx, api.GalleryVersionSpec{Group: s.Group, Gallery: s.Gallery, Image: def, Version: s.Version,
			BlobURI: up.URL, StorageAccount: account, Regions: s.Regions, ExcludeFromLatest: true,
			Tags: Tags(map[string]string{ReleaseVersionTag: s.Version, ReleaseChannelTag: s.Channel}, now)})
		if err != nil {
			return nil, fmt.Errorf("pre-release %s %s: %w", s.Channel, s.Version, err)
		}
		v = &made
	}
	// The version holds its own copy: the VHD is not needed any more.
	if err := st.DeleteBlob(ctx, s.Container, blob); err != nil {
		return nil, fmt.Errorf("pre-release %s %s: delete the uploaded VHD: %w", s.Channel, s.Version, err)
	}
	ri := releaseImage(*v)
	return &ri, nil
}

// existingVersion is the release's version an earlier attempt made, once
// Azure is done making it; nil if there is none (a failed one is deleted).
func existingVersion(ctx context.Context, c *api.Client, s PreReleaseSpec, progress func(string)) (*api.Image, error) {
	def := s.Definition(s.Channel)
	for {
		v, err := c.GalleryImageVersion(ctx, s.Group, s.Gallery, def, s.Version)
		switch {
		case api.IsNotFound(err):
			return nil, nil
		case err != nil:
			return nil, err
		case v.Tags[ReleaseVersionTag] != s.Version || v.Tags[ReleaseChannelTag] != s.Channel:
			return nil, fmt.Errorf("version %s of %s is there but is not release %s %s (tags %v): not touching it", s.Version, def, s.Channel, s.Version, v.Tags)
		case v.State == "Succeeded":
			progress(v.ID + " is there already")
			return &v, nil
		case v.State == "Failed":
			progress(fmt.Sprintf("deleting %s: an earlier attempt's version failed", v.ID))
			if err := c.DeleteGalleryImageVersion(ctx, v.ID); err != nil {
				return nil, err
			}
			return nil, nil
		}
		progress(fmt.Sprintf("waiting for %s (%s), which an earlier attempt started", v.ID, v.State))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for %s: %w", v.ID, context.Cause(ctx))
		case <-time.After(cmp.Or(s.Poll, 5*time.Second)):
		}
	}
}

func regionsOr(regions []string, location string) []string {
	if len(regions) == 0 {
		return []string{location}
	}
	return regions
}

// ReleaseImages lists a channel's release versions that Azure made (of
// one version, or all when version is ""), oldest first.
func ReleaseImages(ctx context.Context, c *api.Client, g ReleaseGallery, channel, version string) ([]ReleaseImage, error) {
	all, err := c.GalleryImageVersions(ctx)
	if err != nil {
		return nil, fmt.Errorf("list release versions of %s: %w", channel, err)
	}
	prefix := strings.ToLower(fmt.Sprintf("/resourceGroups/%s/providers/Microsoft.Compute/galleries/%s/images/%s/versions/", g.Group, g.Gallery, g.Definition(channel)))
	var out []ReleaseImage
	for _, v := range all {
		if !strings.Contains(strings.ToLower(v.ID), prefix) || v.State != "Succeeded" || v.Tags[ReleaseChannelTag] != channel ||
			(version != "" && v.Tags[ReleaseVersionTag] != version) {
			continue
		}
		out = append(out, releaseImage(v))
	}
	slices.SortStableFunc(out, func(a, b ReleaseImage) int { return cloud.CompareVersions(a.Version, b.Version) })
	return out, nil
}

// Publish includes a release's version in its definition's latest.
func Publish(ctx context.Context, c *api.Client, versionID string) error {
	if _, err := c.SetExcludeFromLatest(ctx, versionID, false); err != nil {
		return fmt.Errorf("publish %s: %w", versionID, err)
	}
	return nil
}

// RemoveRelease deletes a release's version.
func RemoveRelease(ctx context.Context, c *api.Client, versionID string) error {
	return c.DeleteGalleryImageVersion(ctx, versionID)
}
