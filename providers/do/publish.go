package do

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/do/api"
)

// The release operations plume calls. A release's custom image carries
// tags that find it again (strata-release:CHANNEL:VERSION) and list its
// channel (strata-release-channel:CHANNEL); GC leaves it alone (plume
// prune collects releases). DigitalOcean cannot make custom images
// public: a release's image is the account's, named in the manifest.

const (
	releaseTagPrefix = "strata-release:"
	channelTagPrefix = "strata-release-channel:"
)

// releaseTag holds the version with its dots as underscores: DigitalOcean
// tags are letters, digits, ':', '-' and '_'.
func releaseTag(channel, version string) string {
	return releaseTagPrefix + channel + ":" + strings.ReplaceAll(version, ".", "_")
}
func channelTag(channel string) string { return channelTagPrefix + channel }

var releaseVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)

func isRelease(tags []string) bool {
	return slices.ContainsFunc(tags, func(t string) bool { return strings.HasPrefix(t, releaseTagPrefix) })
}

// ReleaseImage is a release's custom image.
type ReleaseImage struct {
	ID                             int
	Name, Version, Channel, Status string
}

func releaseImage(im api.Image) ReleaseImage {
	r := ReleaseImage{ID: im.ID, Name: im.Name, Status: im.Status}
	for _, t := range im.Tags {
		if rest, ok := strings.CutPrefix(t, releaseTagPrefix); ok {
			r.Channel, r.Version, _ = strings.Cut(rest, ":")
			r.Version = strings.ReplaceAll(r.Version, "_", ".")
		}
	}
	return r
}

// PreReleaseSpec is a release's image to import from a URL DigitalOcean
// can fetch.
type PreReleaseSpec struct {
	Version, Channel, Name, URL, Region string
	Poll                                time.Duration
	Progress                            func(step string)
}

// PreRelease imports the release's image. An image an earlier attempt
// asked for is used, waited for while it is still being imported.
func PreRelease(ctx context.Context, c *api.Client, s PreReleaseSpec) (*ReleaseImage, error) {
	if !releaseVersion.MatchString(s.Version) {
		return nil, fmt.Errorf("version %q: DigitalOcean tags hold semver without build metadata or underscores (like 4081.2.0)", s.Version)
	}
	progress := s.Progress
	if progress == nil {
		progress = func(string) {}
	}
	found, err := releaseImages(ctx, c, releaseTag(s.Channel, s.Version))
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		progress("importing " + s.URL)
		im, err := c.ImportImage(ctx, api.ImportSpec{Name: s.Name, URL: s.URL, Region: s.Region, Distribution: "Unknown OS", Poll: s.Poll,
			Tags: []string{CreatedByTag, channelTag(s.Channel), releaseTag(s.Channel, s.Version)}})
		if err != nil {
			return nil, fmt.Errorf("pre-release %s %s: %w", s.Channel, s.Version, err)
		}
		ri := releaseImage(im)
		return &ri, nil
	case 1:
	default:
		return nil, fmt.Errorf("release %s %s: %d images carry its tag; delete the extra ones", s.Channel, s.Version, len(found))
	}
	im := found[0]
	if im.Status == "available" {
		progress(fmt.Sprintf("image %d is there already", im.ID))
	} else {
		progress(fmt.Sprintf("waiting for image %d (asked for by an earlier attempt)", im.ID))
	}
	for im.Status != "available" {
		if im.Status == "deleted" || im.Status == "retired" {
			return nil, fmt.Errorf("pre-release %s %s: image %d is %s; delete it and pre-release again", s.Channel, s.Version, im.ID, im.Status)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("pre-release %s %s: image %d still %s: %w", s.Channel, s.Version, im.ID, im.Status, context.Cause(ctx))
		case <-time.After(s.Poll):
		}
		got, err := c.Image(ctx, im.ID)
		if err != nil {
			return nil, err
		}
		im = releaseImage(got)
	}
	return &im, nil
}

func releaseImages(ctx context.Context, c *api.Client, tag string) ([]ReleaseImage, error) {
	imgs, err := c.Images(ctx)
	if err != nil {
		return nil, fmt.Errorf("list release images: %w", err)
	}
	var out []ReleaseImage
	for _, im := range imgs {
		if slices.Contains(im.Tags, tag) {
			out = append(out, releaseImage(im))
		}
	}
	return out, nil
}

// ReleaseImages lists a channel's release images (of one version, or all
// when version is ""), oldest version first.
func ReleaseImages(ctx context.Context, c *api.Client, channel, version string) ([]ReleaseImage, error) {
	tag := channelTag(channel)
	if version != "" {
		tag = releaseTag(channel, version)
	}
	out, err := releaseImages(ctx, c, tag)
	slices.SortStableFunc(out, func(a, b ReleaseImage) int {
		return cloud.CompareVersions(a.Version, b.Version)
	})
	return out, err
}
