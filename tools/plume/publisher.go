package main

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"time"

	"github.com/coreos/go-semver/semver"
	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
)

// release names one release of a channel.
type release struct {
	Version, Channel string
	// Arch is Go's name (amd64, arm64), as in the index paths kola reads.
	Arch string
}

var channelName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// validate checks what goes into image names, tags and object keys.
func (r release) validate() error {
	if _, err := semver.NewVersion(r.Version); err != nil {
		return platform.Usagef("--version %q: want a version like 4081.2.0: %v", r.Version, err)
	}
	if !channelName.MatchString(r.Channel) {
		return platform.Usagef("--channel %q: want lower-case letters, digits and dashes (stable, beta, alpha, lts)", r.Channel)
	}
	switch r.Arch {
	case "amd64", "arm64":
	default:
		return platform.Usagef("--arch %q: want amd64 or arm64", r.Arch)
	}
	return nil
}

// dir is the release's directory in a release bucket, and current the
// channel's current release's, in Flatcar's layout
// ({channel}/{arch}-usr/{version}/), which kola's --aws-release-url
// default follows.
func (r release) dir() string     { return r.Channel + "/" + r.Arch + "-usr/" + r.Version + "/" }
func (r release) current() string { return r.Channel + "/" + r.Arch + "-usr/current/" }

// manifestName is the release's manifest in its directory: every cloud's
// images of it.
const manifestName = "strata_production_release.json"

// manifest is what a release published, on every cloud.
type manifest struct {
	Version  string                `json:"version"`
	Channel  string                `json:"channel"`
	Arch     string                `json:"arch"`
	Released time.Time             `json:"released"`
	Clouds   map[string][]artifact `json:"clouds"`
}

// artifact is one image of a release on a cloud (in a region).
type artifact struct {
	Region  string `json:"region,omitempty"`
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version string `json:"-"`
	Public  bool   `json:"public"`
}

// publisher is one cloud's part of a release; each call finds what an
// earlier, interrupted attempt did and finishes it.
type publisher interface {
	Name() string
	// PreRelease uploads the release's image and makes the cloud's
	// images of it, not public.
	PreRelease(ctx context.Context, r release, imageDir string, step stepFunc) ([]artifact, error)
	// Publish makes the pre-released images public and returns them;
	// none is an error saying to pre-release first.
	Publish(ctx context.Context, r release, step stepFunc) ([]artifact, error)
	// Indexes are the cloud's own index files of a release (file name →
	// content), written beside the manifest.
	Indexes(arts []artifact) (map[string][]byte, error)
	// Store is where the indexes and manifests go; nil for a cloud
	// without a release bucket (its images are in the others').
	Store() store
	// Releases lists the channel's images of every release.
	Releases(ctx context.Context, channel string) ([]artifact, error)
	// Remove deletes a release's images (and its uploaded disk).
	Remove(ctx context.Context, r release) error
}

// stepFunc reports progress: where (a region, or "") and what.
type stepFunc func(where, what string)

// store is a release bucket.
type store interface {
	// URL names the bucket for people (s3://B).
	URL() string
	Put(ctx context.Context, key string, data []byte, contentType string) error
	// Get returns errNotFound for a missing object.
	Get(ctx context.Context, key string) ([]byte, error)
	List(ctx context.Context) ([]string, error)
}

var errNotFound = errors.New("no such object")

// publishers are the clouds the flags configure (or --platform names).
func (c *cli) publishers(a *app, ctx context.Context) ([]publisher, error) {
	configured := map[string]func() (publisher, error){}
	if c.awsFlags.ReleaseBucket != "" || slices.Contains(c.Platforms, "aws") {
		configured["aws"] = func() (publisher, error) { return newAWSPublisher(ctx, a, c.awsFlags) }
	}
	if c.gceFlags.ReleaseBucket != "" || slices.Contains(c.Platforms, "gce") {
		configured["gce"] = func() (publisher, error) { return newGCEPublisher(ctx, a, c.gceFlags) }
	}
	// No bucket to tell them by: Azure, OpenStack and DigitalOcean are
	// named.
	if slices.Contains(c.Platforms, "do") {
		configured["do"] = func() (publisher, error) { return newDOPublisher(ctx, a, c.doFlags) }
	}
	if slices.Contains(c.Platforms, "azure") {
		configured["azure"] = func() (publisher, error) { return newAzurePublisher(ctx, a, c.azureFlags) }
	}
	if slices.Contains(c.Platforms, "openstack") {
		configured["openstack"] = func() (publisher, error) { return newOpenStackPublisher(ctx, a, c.openstackFlags) }
	}
	names := c.Platforms
	if len(names) == 0 {
		for n := range configured {
			names = append(names, n)
		}
		slices.Sort(names)
	}
	if len(names) == 0 {
		return nil, platform.Usagef("no cloud to work on: give a cloud's release bucket (--aws-release-bucket, --gce-release-bucket) or --platform")
	}
	var out []publisher
	for _, n := range names {
		make, ok := configured[n]
		if !ok {
			return nil, platform.Usagef("--platform %s: not a cloud plume releases on (aws, gce, azure, openstack, do)", n)
		}
		p, err := make()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// versionsNewestFirst sorts versions by semver, newest first; a version
// that is not semver sorts last.
func versionsNewestFirst(vs []string) {
	slices.SortFunc(vs, func(a, b string) int {
		_, ea := semver.NewVersion(a)
		_, eb := semver.NewVersion(b)
		switch {
		case ea != nil && eb == nil:
			return 1
		case ea == nil && eb != nil:
			return -1
		}
		return cloud.CompareVersions(b, a)
	})
}

// newer says whether version a is newer than b (semver).
func newer(a, b string) bool { return cloud.CompareVersions(a, b) > 0 }

// where names a cloud, and its region when it has them.
func where(cloud, region string) string {
	if region == "" {
		return cloud
	}
	return cloud + " " + region
}
