package gce

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/gce/api"
)

// The release operations plume calls. A release's image is named by its
// channel and version, labelled with them (label values cannot hold dots:
// they become underscores), and lives in the channel's family; GC leaves
// it alone (plume prune collects releases).

const (
	// VersionLabel and ChannelLabel mark a release's image.
	VersionLabel = "strata-release-version"
	ChannelLabel = "strata-release-channel"
	// ReleaseObjectKey is the metadata key of a release's uploaded disk
	// (not CreatedByLabel: GC must not take it).
	ReleaseObjectKey = "strata-release"
)

// releaseVersion is what a label value can hold of a version: semver
// with lower-case pre-release parts and no build metadata.
var releaseVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+(-[0-9a-z.-]+)?$`)

// ReleaseLabels are the labels of a release's image.
func ReleaseLabels(version, channel string) (map[string]string, error) {
	if !releaseVersion.MatchString(version) {
		return nil, fmt.Errorf("version %q: Compute Engine labels hold lower-case semver without build metadata (like 4081.2.0 or 4081.2.0-rc1)", version)
	}
	return Labels(map[string]string{VersionLabel: strings.ReplaceAll(version, ".", "_"), ChannelLabel: channel}), nil
}

// labelledVersion reads a version back from its label.
func labelledVersion(labels map[string]string) string {
	return strings.ReplaceAll(labels[VersionLabel], "_", ".")
}

// ReleaseImageName is a release's image name: PREFIX-CHANNEL-VERSION-ARCH
// with dots as dashes, as Compute Engine names allow.
func ReleaseImageName(prefix, channel, version, arch string) string {
	return strings.ToLower(strings.NewReplacer(".", "-", "_", "-").Replace(fmt.Sprintf("%s-%s-%s-%s", prefix, channel, version, arch)))
}

// ReleaseImage is a release's image.
type ReleaseImage struct {
	Name, Family, Version, Channel string
	// Deprecated is its deprecation state, "" for active.
	Deprecated string
	Created    time.Time
}

func releaseImage(img *api.Image) ReleaseImage {
	return ReleaseImage{Name: img.Name, Family: img.Family, Version: labelledVersion(img.Labels), Channel: img.Labels[ChannelLabel],
		Deprecated: img.Deprecated, Created: img.Created}
}

// PreReleaseSpec is a release's image to make from an uploaded disk.
type PreReleaseSpec struct {
	Version, Channel string
	Name, Family     string
	// Source is the uploaded .tar.gz (gs://BUCKET/OBJECT).
	Source       string
	Architecture string // X86_64, ARM64
	Poll         time.Duration
	Progress     func(step string)
}

// PreRelease makes the release's image, not shared outside the project.
// An image an earlier attempt made is used (waited for while it is still
// being made); one whose making failed is an error naming it.
func PreRelease(ctx context.Context, c *api.Client, s PreReleaseSpec) (*ReleaseImage, error) {
	labels, err := ReleaseLabels(s.Version, s.Channel)
	if err != nil {
		return nil, err
	}
	progress := s.Progress
	if progress == nil {
		progress = func(string) {}
	}
	img, err := c.Image(ctx, "", s.Name)
	switch {
	case api.IsNotFound(err):
		progress("creating image " + s.Name + " in family " + s.Family + " from " + s.Source)
		op, err := c.CreateImage(ctx, api.ImageSpec{Name: s.Name, Family: s.Family, SourceURI: s.Source, Architecture: s.Architecture, Labels: labels,
			Description: fmt.Sprintf("%s %s", s.Channel, s.Version)})
		if err == nil {
			err = c.Wait(ctx, op, s.Poll)
		}
		if err != nil {
			return nil, fmt.Errorf("pre-release %s %s: %w", s.Channel, s.Version, err)
		}
	case err != nil:
		return nil, err
	case labelledVersion(img.Labels) != s.Version || img.Labels[ChannelLabel] != s.Channel:
		return nil, fmt.Errorf("pre-release %s %s: image %s exists and is not this release's (labels %v)", s.Channel, s.Version, s.Name, img.Labels)
	case img.Status == "FAILED":
		return nil, fmt.Errorf("pre-release %s %s: image %s failed to be made; delete it (ore gce delete-images %s) and pre-release again", s.Channel, s.Version, s.Name, s.Name)
	case img.Status != "READY":
		progress("waiting for image " + s.Name + " (made by an earlier attempt)")
		for img.Status != "READY" {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("pre-release %s %s: image %s still %s: %w", s.Channel, s.Version, s.Name, img.Status, context.Cause(ctx))
			case <-time.After(s.Poll):
			}
			if img, err = c.Image(ctx, "", s.Name); err != nil {
				return nil, err
			}
			if img.Status == "FAILED" {
				return nil, fmt.Errorf("pre-release %s %s: image %s failed to be made", s.Channel, s.Version, s.Name)
			}
		}
	default:
		progress(s.Name + " is there already")
	}
	if img, err = c.Image(ctx, "", s.Name); err != nil {
		return nil, err
	}
	ri := releaseImage(img)
	return &ri, nil
}

// ReleaseImages lists a channel's release images (of one version, or all
// when version is ""), oldest version first.
func ReleaseImages(ctx context.Context, c *api.Client, channel, version string) ([]ReleaseImage, error) {
	filter := Labels(map[string]string{ChannelLabel: channel})
	if version != "" {
		labels, err := ReleaseLabels(version, channel)
		if err != nil {
			return nil, err
		}
		filter = labels
	}
	imgs, err := c.Images(ctx, filter)
	if err != nil {
		return nil, fmt.Errorf("list release images of %s: %w", channel, err)
	}
	var out []ReleaseImage
	for _, img := range imgs {
		out = append(out, releaseImage(img))
	}
	sort.SliceStable(out, func(i, j int) bool { return cloud.CompareVersions(out[i].Version, out[j].Version) < 0 })
	return out, nil
}

// Publish shares the release's image with every account.
func Publish(ctx context.Context, c *api.Client, name string) error {
	if err := c.MakeImagePublic(ctx, name); err != nil {
		return fmt.Errorf("publish image %s: %w", name, err)
	}
	return nil
}

// DeprecateOlder deprecates the channel's release images of versions
// older than the release's, in favour of its image, so that the family
// (and anyone reading the deprecation) moves on; it returns their names.
func DeprecateOlder(ctx context.Context, c *api.Client, channel, version, replacement string, poll time.Duration) ([]string, error) {
	imgs, err := ReleaseImages(ctx, c, channel, "")
	if err != nil {
		return nil, err
	}
	var done []string
	for _, img := range imgs {
		if img.Deprecated != "" || cloud.CompareVersions(img.Version, version) >= 0 {
			continue
		}
		op, err := c.DeprecateImage(ctx, img.Name, "DEPRECATED", replacement)
		if err == nil {
			err = c.Wait(ctx, op, poll)
		}
		if err != nil {
			return done, fmt.Errorf("deprecate %s for %s: %w", img.Name, replacement, err)
		}
		done = append(done, img.Name)
	}
	return done, nil
}

// ReleaseObjectMetadata marks a release's uploaded disk.
func ReleaseObjectMetadata(version string) map[string]string {
	return map[string]string{ReleaseObjectKey: version}
}
