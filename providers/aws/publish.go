package aws

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/strata-os/strata/providers/aws/api"
)

// The release operations plume calls (pre-release, release, prune): a
// release's AMIs carry the release's tags, by which every step finds what
// an earlier attempt made instead of making it again, and which GC leaves
// alone (prune is their collector).

const (
	// VersionTag and ChannelTag mark a release's AMIs and snapshots.
	VersionTag = "strata-release-version"
	ChannelTag = "strata-release-channel"
	// ReleaseObjectKey is the S3 user metadata key of a release's
	// uploaded disk (not ObjectMetadataKey: GC must not take it).
	ReleaseObjectKey = "strata-release"
)

// ReleaseTags are the tags of a release's resources.
func ReleaseTags(version, channel string) map[string]string {
	return Tags(map[string]string{VersionTag: version, ChannelTag: channel})
}

// isRelease says whether a resource's tags mark it as a release's.
func isRelease(tags map[string]string) bool { return tags[VersionTag] != "" }

// ReleaseImage is a release's AMI in one region.
type ReleaseImage struct {
	Region, ID, Name string
	Version, Channel string
	Public           bool
	SnapshotIDs      []string
	Created          time.Time
}

func releaseImage(region string, im api.Image) ReleaseImage {
	return ReleaseImage{Region: region, ID: im.ID, Name: im.Name, Version: im.Tags[VersionTag], Channel: im.Tags[ChannelTag],
		Public: im.Public, SnapshotIDs: im.SnapshotIDs, Created: im.Created}
}

// PreReleaseSpec is a release's AMIs to make from a disk uploaded to S3.
type PreReleaseSpec struct {
	Version, Channel string
	// Name is the AMIs' name (unique in each region).
	Name string
	// Bucket and Key are the uploaded disk; Format raw, vmdk or vhd; Arch
	// x86_64 or arm64.
	Bucket, Key, Format, Arch string
	// Regions: the disk is imported in the first, copied to the others.
	Regions []string
	Poll    time.Duration
	// Progress, if set, is told of each step, as it starts.
	Progress func(region, step string)
}

// importToken is the client token of a release's import in a region: the
// same for every attempt, so a pre-release run again after a crash gets
// the import already under way (EC2 allows 64 characters).
func importToken(s PreReleaseSpec, region string) string {
	sum := sha256.Sum256([]byte(s.Channel + "\x00" + s.Version + "\x00" + region + "\x00" + s.Bucket + "\x00" + s.Key))
	return "strata-release-" + hex.EncodeToString(sum[:16])
}

// PreRelease makes the release's AMIs, private, in every region of the
// spec, and returns them in its order. Each region's AMI that an earlier
// attempt made (found by the release's tags) is used as it is, waited for
// if a copy is still pending; an import cut short is taken up again by
// its client token. So running it again after any failure finishes the
// work and duplicates nothing.
func PreRelease(ctx context.Context, c *api.Client, s PreReleaseSpec) ([]ReleaseImage, error) {
	if len(s.Regions) == 0 {
		return nil, fmt.Errorf("pre-release %s %s: no region", s.Channel, s.Version)
	}
	progress := s.Progress
	if progress == nil {
		progress = func(string, string) {}
	}
	tags := ReleaseTags(s.Version, s.Channel)
	tags["Name"] = s.Name
	var out []ReleaseImage
	var source ReleaseImage
	for i, region := range s.Regions {
		rc := c.InRegion(region)
		found, err := findRelease(ctx, rc, s.Version, s.Channel)
		if err != nil {
			return out, err
		}
		var img *api.Image
		switch {
		case found != nil && found.Arch != "" && found.Arch != cmp.Or(s.Arch, "x86_64"):
			// Release tags carry no architecture: a second one on the
			// same channel and version would take the first's AMIs.
			return out, fmt.Errorf("pre-release %s %s in %s: AMI %s of this release is %s, not %s: one architecture per channel and version (release the other on a channel of its own)",
				s.Channel, s.Version, region, found.ID, found.Arch, cmp.Or(s.Arch, "x86_64"))
		case found != nil && found.State != "available":
			progress(region, "waiting for "+found.ID+" (made by an earlier attempt)")
			if img, err = rc.WaitImage(ctx, found.ID, "pre-release "+s.Version+" in "+region, s.Poll); err != nil {
				return out, err
			}
		case found != nil:
			progress(region, found.ID+" is there already")
			img = found
		case i == 0:
			progress(region, fmt.Sprintf("importing s3://%s/%s", s.Bucket, s.Key))
			img, err = rc.ImportImage(ctx, s.Bucket, s.Key, s.Format, s.Name, s.Arch, tags, s.Poll, importToken(s, region))
			if err != nil {
				return out, fmt.Errorf("pre-release %s %s in %s: %w", s.Channel, s.Version, region, err)
			}
		default:
			progress(region, "copying "+source.ID+" from "+source.Region)
			img, err = rc.CopyImage(ctx, source.Region, source.ID, s.Name, tags, s.Poll)
			if err != nil {
				return out, fmt.Errorf("pre-release %s %s in %s: %w", s.Channel, s.Version, region, err)
			}
		}
		ri := releaseImage(region, *img)
		ri.Version, ri.Channel = s.Version, s.Channel
		if i == 0 {
			source = ri
		}
		out = append(out, ri)
	}
	return out, nil
}

// findRelease is the region's AMI of the release, or nil; two are an
// error (something other than plume made one).
func findRelease(ctx context.Context, c *api.Client, version, channel string) (*api.Image, error) {
	imgs, err := c.Images(ctx, ReleaseTags(version, channel))
	if err != nil {
		return nil, fmt.Errorf("look for release %s %s in %s: %w", channel, version, c.Region(), err)
	}
	switch len(imgs) {
	case 0:
		return nil, nil
	case 1:
		return &imgs[0], nil
	}
	var ids []string
	for _, im := range imgs {
		ids = append(ids, im.ID)
	}
	return nil, fmt.Errorf("release %s %s in %s: %d AMIs carry its tags (%v); delete the extra ones", channel, version, c.Region(), len(imgs), ids)
}

// ReleaseImages lists a channel's release AMIs in the regions (of one
// version, or all when version is ""), by region then version.
func ReleaseImages(ctx context.Context, c *api.Client, channel, version string, regions []string) ([]ReleaseImage, error) {
	filter := Tags(map[string]string{ChannelTag: channel})
	if version != "" {
		filter[VersionTag] = version
	}
	var out []ReleaseImage
	for _, region := range regions {
		imgs, err := c.InRegion(region).Images(ctx, filter)
		if err != nil {
			return nil, fmt.Errorf("list release images of %s in %s: %w", channel, region, err)
		}
		for _, im := range imgs {
			out = append(out, releaseImage(region, im))
		}
	}
	slices.SortStableFunc(out, func(a, b ReleaseImage) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Version, b.Version))
	})
	return out, nil
}

// Publish lets every account launch the release's AMIs (each call is
// harmless again).
func Publish(ctx context.Context, c *api.Client, images []ReleaseImage) error {
	for _, im := range images {
		if im.Public {
			continue
		}
		if err := c.InRegion(im.Region).SetPublic(ctx, im.ID, true); err != nil {
			return fmt.Errorf("publish %s in %s: %w", im.ID, im.Region, err)
		}
	}
	return nil
}

// DeleteReleaseImage deregisters a release AMI and deletes its snapshots.
func DeleteReleaseImage(ctx context.Context, c *api.Client, im ReleaseImage) error {
	err := c.InRegion(im.Region).DeleteImage(ctx, api.Image{ID: im.ID, SnapshotIDs: im.SnapshotIDs})
	if err != nil {
		return fmt.Errorf("delete release image %s (%s %s) in %s: %w", im.ID, im.Channel, im.Version, im.Region, err)
	}
	return nil
}

// ReleaseObjectMetadata marks a release's uploaded disk.
func ReleaseObjectMetadata(version string) map[string]string {
	return map[string]string{ReleaseObjectKey: version}
}

// AMIIndex is a channel's release list as kola's --aws-ami CHANNEL reads
// it (Flatcar's *_ami_all.json layout): an AMI per region.
type AMIIndex struct {
	AMIs []AMIIndexEntry `json:"amis"`
}

// AMIIndexEntry is one region's AMI.
type AMIIndexEntry struct {
	Name string `json:"name"` // the region
	HVM  string `json:"hvm"`  // the AMI ID
}

// NewAMIIndex is the index of a release's AMIs, by region.
func NewAMIIndex(images []ReleaseImage) AMIIndex {
	byRegion := map[string]string{}
	for _, im := range images {
		byRegion[im.Region] = im.ID
	}
	var idx AMIIndex
	for _, region := range slices.Sorted(maps.Keys(byRegion)) {
		idx.AMIs = append(idx.AMIs, AMIIndexEntry{Name: region, HVM: byRegion[region]})
	}
	return idx
}
