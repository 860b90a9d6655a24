package azure

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/api"
)

// The way Flatcar publishes: an uploaded VHD becomes a managed image,
// then a version of a gallery image definition replicated to regions,
// which a flight's machine boots from. And what Azure refuses on the way.
func TestGalleryImagePath(t *testing.T) {
	b, c := uploadFixture(t)
	ctx := context.Background()
	vhd := writeVHD(t, 8<<20, 1<<20)
	up, err := UploadVHD(ctx, c, UploadSpec{File: vhd, Account: "strataimages", Container: "vhds", Blob: "flatcar.vhd"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	img, err := c.CreateImage(ctx, api.ImageSpec{Group: "images", Name: "flatcar-4230", BlobURI: up.URL, Tags: Tags(nil, now)})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureGallery(ctx, "images", "flatcar_gallery", Tags(nil, now)); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureGallery(ctx, "images", "flatcar_gallery", Tags(nil, now)); err != nil {
		t.Fatalf("a gallery that is there: %v", err)
	}
	def := api.GalleryImageSpec{Group: "images", Gallery: "flatcar_gallery", Name: "flatcar", Publisher: "strata", Offer: "flatcar", SKU: "stable"}
	if err := c.EnsureGalleryImage(ctx, def); err != nil {
		t.Fatal(err)
	}
	if err := c.EnsureGalleryImage(ctx, def); err != nil {
		t.Fatalf("the same definition again: %v", err)
	}
	other := def
	other.SKU = "beta"
	if err := c.EnsureGalleryImage(ctx, other); err == nil || !strings.Contains(err.Error(), `SKU "stable", not "beta"`) {
		t.Errorf("a definition changed: %v", err)
	}

	spec := api.GalleryVersionSpec{Group: "images", Gallery: "flatcar_gallery", Image: "flatcar", Version: "4230.2.3", SourceImage: img.ID,
		Regions: []string{b.s.Location(), "eastus"}, Tags: Tags(nil, now)}
	v, err := c.CreateGalleryImageVersion(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Gallery || v.Source != img.ID || v.Replication != "Completed" || !slices.Equal(v.Regions, []string{b.s.Location(), "eastus"}) || v.State != "Succeeded" {
		t.Errorf("version %+v", v)
	}
	all, err := c.GalleryImageVersions(ctx)
	if err != nil || len(all) != 1 || all[0].ID != v.ID {
		t.Errorf("versions listed: %+v, %v", all, err)
	}

	for _, tc := range []struct {
		name string
		edit func(*api.GalleryVersionSpec)
		want string
	}{
		{"unknown region", func(s *api.GalleryVersionSpec) { s.Version, s.Regions = "1.0.1", []string{"atlantis"} }, "region 'atlantis'"},
		{"not in the gallery's region", func(s *api.GalleryVersionSpec) { s.Version, s.Regions = "1.0.2", []string{"eastus"} }, "must be replicated to the gallery's region"},
		{"bad version", func(s *api.GalleryVersionSpec) { s.Version = "1.0" }, "MAJOR.MINOR.PATCH"},
		{"missing source image", func(s *api.GalleryVersionSpec) { s.Version, s.SourceImage = "1.0.3", img.ID+"x" }, "was not found"},
		{"blob without its account", func(s *api.GalleryVersionSpec) { s.Version, s.SourceImage, s.BlobURI = "1.0.4", "", up.URL }, "no source"},
		{"no definition", func(s *api.GalleryVersionSpec) { s.Version, s.Image = "1.0.5", "nothing" }, "ParentResourceNotFound"},
	} {
		s := spec
		tc.edit(&s)
		if _, err := c.CreateGalleryImageVersion(ctx, s); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error saying %q", tc.name, err, tc.want)
		}
	}
	// From the blob itself, with its storage account.
	fromBlob := spec
	fromBlob.Version, fromBlob.SourceImage, fromBlob.BlobURI = "4230.2.4", "", up.URL
	fromBlob.StorageAccount = "/subscriptions/" + b.s.Subscription() + "/resourceGroups/images/providers/Microsoft.Storage/storageAccounts/strataimages"
	if v, err := c.CreateGalleryImageVersion(ctx, fromBlob); err != nil || v.Source != up.URL {
		t.Errorf("version from a blob: %+v, %v", v, err)
	}

	// A flight's machine boots from the version.
	flags := b.flags
	flags.Image = v.ID
	f, err := newFlight(ctx, flags, platform.FlightOptions{Name: "gallery", OutputDir: t.TempDir()}, b.tune)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Destroy(context.Background())
	cl, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "gallery", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.NewMachine(ctx, conf.Script("#!/bin/sh\ntrue\n")); err != nil {
		t.Fatalf("a machine from the gallery image version: %v", err)
	}
	vms := b.s.Resources("Microsoft.Compute/virtualMachines")
	if len(vms) != 1 || !strings.EqualFold(imageRefID(vms[0].Properties), v.ID) {
		t.Errorf("the machine does not name the version: %+v", vms)
	}

	// Deleting: a managed image's ID is not a version's, and a version
	// deleted twice is no error.
	if err := c.DeleteGalleryImageVersion(ctx, img.ID); err == nil {
		t.Error("a managed image's ID was taken as a gallery version's")
	}
	if err := c.DeleteGalleryImageVersion(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteGalleryImageVersion(ctx, v.ID); err != nil {
		t.Errorf("deleting it again: %v", err)
	}
}

func imageRefID(vmProps map[string]any) string {
	sp, _ := vmProps["storageProfile"].(map[string]any)
	ref, _ := sp["imageReference"].(map[string]any)
	id, _ := ref["id"].(string)
	return id
}
