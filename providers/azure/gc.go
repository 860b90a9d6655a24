package azure

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/azure/api"
)

// GCScope is where GC looks besides the subscription's resource groups
// and images.
type GCScope struct {
	// StorageAccounts are searched for the blobs ore azure upload-blob
	// left (marked in their metadata): Azure has no index of blobs by
	// mark, and a subscription's other accounts may be anybody's.
	StorageAccounts []string
}

// GC removes what strata's runs left behind, tagged created-by=strata
// and older than the bound by their created-at tag: resource groups
// (flights' groups, with everything in them), managed images and gallery
// image versions outside them (ore's images live in a group of the
// user's), and uploaded blobs
// in the scope's storage accounts. A resource without a readable
// creation mark is never touched. It goes on past a failed deletion and
// reports every one.
func GC(ctx context.Context, c *api.Client, o cloud.GCOptions, scope GCScope) ([]cloud.GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	found, err := candidates(ctx, c, scope)
	if err != nil {
		return nil, fmt.Errorf("azure gc: %w", err)
	}
	items, err := cloud.Collect(ctx, found, o)
	if err != nil {
		return items, fmt.Errorf("azure gc: %w", err)
	}
	return items, nil
}

// GC kinds, in the order they are deleted.
const (
	gcGroup = "group"
	gcImage = "image"
	gcBlob  = "blob"
	// gcGalleryVersion IDs are GROUP/GALLERY/DEFINITION/VERSION.
	gcGalleryVersion = "gallery-image-version"
)

// candidates lists everything tagged created-by=strata, whatever its
// age: groups first, and images only outside strata's groups (they go
// with their group, old or young).
func candidates(ctx context.Context, c *api.Client, scope GCScope) ([]cloud.Candidate, error) {
	var found []cloud.Candidate
	groups, err := c.Groups(ctx, CreatedByTag, CreatedBy)
	if err != nil {
		return nil, err
	}
	ours := map[string]bool{}
	for _, g := range groups {
		ours[strings.ToLower(g.Name)] = true
		if strings.EqualFold(g.State, "Deleting") {
			continue // on its way
		}
		created, _ := CreatedAt(g.Tags) // zero: never collected
		found = append(found, cloud.Candidate{Kind: gcGroup, ID: g.Name, Created: created, Delete: func(ctx context.Context) error {
			return c.DeleteGroup(ctx, g.Name)
		}})
	}
	images, err := c.Images(ctx)
	if err != nil {
		return nil, err
	}
	for _, im := range images {
		if im.Tags[CreatedByTag] != CreatedBy || ours[strings.ToLower(im.Group)] || strings.EqualFold(im.State, "Deleting") {
			continue
		}
		created, _ := CreatedAt(im.Tags)
		found = append(found, cloud.Candidate{Kind: gcImage, ID: im.Group + "/" + im.Name, Created: created, Delete: func(ctx context.Context) error {
			return c.DeleteImage(ctx, im.Group, im.Name)
		}})
	}
	versions, err := c.GalleryImageVersions(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		// A release's version is plume prune's to delete.
		if v.Tags[CreatedByTag] != CreatedBy || isRelease(v.Tags) || ours[strings.ToLower(v.Group)] || strings.EqualFold(v.State, "Deleting") {
			continue
		}
		created, _ := CreatedAt(v.Tags)
		found = append(found, cloud.Candidate{Kind: gcGalleryVersion, ID: galleryVersionName(v.ID), Created: created, Delete: func(ctx context.Context) error {
			return c.DeleteGalleryImageVersion(ctx, v.ID)
		}})
	}
	for _, account := range scope.StorageAccounts {
		blobs, err := blobCandidates(ctx, c, account)
		if err != nil {
			return nil, err
		}
		found = append(found, blobs...)
	}
	return found, nil
}

// blobCandidates are the blobs of a storage account that carry strata's
// marks, whatever their age; their IDs are ACCOUNT/CONTAINER/BLOB.
func blobCandidates(ctx context.Context, c *api.Client, account string) ([]cloud.Candidate, error) {
	st, err := c.Storage(account)
	if err != nil {
		return nil, err
	}
	containers, err := st.Containers(ctx)
	if err != nil {
		return nil, err
	}
	var found []cloud.Candidate
	for _, ct := range containers {
		blobs, err := st.Blobs(ctx, ct, "")
		if err != nil {
			return nil, err
		}
		for _, b := range blobs {
			if b.Metadata[createdByMetadata] != CreatedBy {
				continue
			}
			created, _ := time.Parse(time.RFC3339, b.Metadata[createdAtMetadata]) // zero: never collected
			found = append(found, cloud.Candidate{Kind: gcBlob, ID: account + "/" + ct + "/" + b.Name, Created: created, Delete: func(ctx context.Context) error {
				return st.DeleteBlob(ctx, b.Container, b.Name)
			}})
		}
	}
	return found, nil
}

// galleryVersionName is GROUP/GALLERY/DEFINITION/VERSION of a gallery
// image version's resource ID.
func galleryVersionName(id string) string {
	parts := strings.Split(strings.Trim(id, "/"), "/")
	if len(parts) != 12 {
		return id
	}
	return strings.Join([]string{parts[3], parts[7], parts[9], parts[11]}, "/")
}
