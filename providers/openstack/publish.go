package openstack

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/openstack/api"
)

// The release operations plume calls. A release's image carries tags
// that find it again (strata-release:CHANNEL:VERSION) and list its
// channel (strata-release-channel:CHANNEL), and properties naming both;
// GC leaves it alone (plume prune collects releases).

const (
	// VersionProperty and ChannelProperty are a release image's
	// properties.
	VersionProperty  = "strata_release_version"
	ChannelProperty  = "strata_release_channel"
	releaseTagPrefix = "strata-release:"
	channelTagPrefix = "strata-release-channel:"
)

func releaseTag(channel, version string) string { return releaseTagPrefix + channel + ":" + version }
func channelTag(channel string) string          { return channelTagPrefix + channel }

// isRelease says whether an image's tags mark it as a release's.
func isRelease(tags []string) bool {
	return slices.ContainsFunc(tags, func(t string) bool { return strings.HasPrefix(t, releaseTagPrefix) })
}

// ReleaseImage is a release's Glance image.
type ReleaseImage struct {
	ID, Name, Version, Channel, Visibility, Status string
}

func releaseImage(im api.Image) ReleaseImage {
	r := ReleaseImage{ID: im.ID, Name: im.Name, Visibility: im.Visibility, Status: im.Status}
	for _, t := range im.Tags {
		if rest, ok := strings.CutPrefix(t, releaseTagPrefix); ok {
			r.Channel, r.Version, _ = strings.Cut(rest, ":")
		}
	}
	return r
}

// PreReleaseSpec is a release's image to upload.
type PreReleaseSpec struct {
	Version, Channel, Name string
	File, DiskFormat       string // qcow2 or raw
	Progress               func(step string)
	Sent                   func(bytes int64)
}

// PreRelease makes the release's image, private. An active image an
// earlier attempt made is used; one its upload never finished (queued,
// saving, killed) is deleted and made again.
func PreRelease(ctx context.Context, c *api.Client, s PreReleaseSpec) (*ReleaseImage, error) {
	progress := s.Progress
	if progress == nil {
		progress = func(string) {}
	}
	imgs, err := c.Images(ctx, releaseTag(s.Channel, s.Version))
	if err != nil {
		return nil, fmt.Errorf("look for release %s %s: %w", s.Channel, s.Version, err)
	}
	var active []api.Image
	for _, im := range imgs {
		if im.Status == "active" {
			active = append(active, im)
			continue
		}
		progress(fmt.Sprintf("deleting image %s (%s): an earlier attempt's upload did not finish", im.ID, im.Status))
		if err := c.DeleteImage(ctx, im.ID); err != nil {
			return nil, err
		}
	}
	switch len(active) {
	case 0:
	case 1:
		progress(active[0].ID + " is there already")
		ri := releaseImage(active[0])
		return &ri, nil
	default:
		return nil, fmt.Errorf("release %s %s: %d active images carry its tag; delete the extra ones", s.Channel, s.Version, len(active))
	}
	progress("uploading " + s.File)
	im, err := c.CreateImage(ctx, api.ImageSpec{Name: s.Name, DiskFormat: s.DiskFormat,
		Tags:       []string{ImageTag, channelTag(s.Channel), releaseTag(s.Channel, s.Version)},
		Properties: map[string]string{VersionProperty: s.Version, ChannelProperty: s.Channel}}, s.File, s.Sent)
	if err != nil {
		return nil, fmt.Errorf("pre-release %s %s: %w", s.Channel, s.Version, err)
	}
	ri := releaseImage(im)
	return &ri, nil
}

// ReleaseImages lists a channel's active release images (of one version,
// or all when version is ""), oldest version first.
func ReleaseImages(ctx context.Context, c *api.Client, channel, version string) ([]ReleaseImage, error) {
	tag := channelTag(channel)
	if version != "" {
		tag = releaseTag(channel, version)
	}
	imgs, err := c.Images(ctx, tag)
	if err != nil {
		return nil, fmt.Errorf("list release images of %s: %w", channel, err)
	}
	var out []ReleaseImage
	for _, im := range imgs {
		if im.Status == "active" {
			out = append(out, releaseImage(im))
		}
	}
	slices.SortStableFunc(out, func(a, b ReleaseImage) int {
		return cloud.CompareVersions(a.Version, b.Version)
	})
	return out, nil
}

// Publish makes a release's image public.
func Publish(ctx context.Context, c *api.Client, id string) error {
	if err := c.SetImageVisibility(ctx, id, "public"); err != nil {
		return fmt.Errorf("publish image %s: %w", id, err)
	}
	return nil
}
