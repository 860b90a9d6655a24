package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure"
	"github.com/strata-os/strata/providers/azure/api"
)

type azureCreateImageCmd struct {
	Blob       string            `required:"" placeholder:"URL" help:"The uploaded fixed VHD: a page blob's URL (https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME.vhd)."`
	Group      string            `required:"" name:"resource-group" placeholder:"NAME" help:"Resource group to make the image in (it must exist; strata's images live outside flights' groups)."`
	Name       string            `required:"" help:"Image name."`
	Generation string            `name:"hyper-v-generation" enum:"V1,V2" default:"V2" help:"V2 boots through UEFI, V1 through BIOS (strata's disks boot either way): ${enum}."`
	Tags       map[string]string `placeholder:"KEY=VALUE;..." help:"Tags besides strata's created-by and created-at."`
}

func (i *azureCreateImageCmd) Run(a *app, c *azureCmd) error {
	if !strings.HasPrefix(i.Blob, "https://") {
		return platform.Usagef("--blob %q: not an https URL of a page blob", i.Blob)
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	img, err := client.CreateImage(ctx, api.ImageSpec{Group: i.Group, Name: i.Name, BlobURI: i.Blob, HyperVGeneration: i.Generation, Tags: azure.Tags(i.Tags, time.Now())})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "image %s (%s) %s from %s\n", img.ID, img.HyperVGeneration, img.State, i.Blob)
	fmt.Fprintf(a.stdout, "boot it with: kola run -p azure --azure-image %s\n", img.ID)
	return nil
}

type azureCreateGalleryImageCmd struct {
	Group      string            `required:"" name:"resource-group" placeholder:"NAME" help:"Resource group of the gallery (it must exist; the gallery and image definition are made if missing)."`
	Gallery    string            `required:"" placeholder:"NAME" help:"Azure Compute Gallery (letters, digits, '_' and '.')."`
	Definition string            `required:"" name:"image-definition" placeholder:"NAME" help:"Image definition in the gallery."`
	Version    string            `required:"" placeholder:"X.Y.Z" help:"Version to make (MAJOR.MINOR.PATCH)."`
	Source     string            `name:"source-image" placeholder:"ID" xor:"source" help:"Managed image to make the version from (see ore azure create-image)."`
	Blob       string            `placeholder:"URL" xor:"source" help:"Or the uploaded fixed VHD page blob to make it from, with --storage-account-id."`
	Account    string            `name:"storage-account-id" placeholder:"ID" help:"Resource ID of the blob's storage account."`
	Publisher  string            `default:"strata" help:"The definition's publisher, when it is made."`
	Offer      string            `help:"The definition's offer, when it is made (default: its name)."`
	SKU        string            `name:"sku" help:"The definition's SKU, when it is made (default: its name)."`
	Generation string            `name:"hyper-v-generation" enum:"V1,V2" default:"V2" help:"The definition's Hyper-V generation: ${enum} (a source image's must match)."`
	Regions    []string          `name:"target-region" placeholder:"REGION" help:"Regions to replicate the version to (repeatable; default: --azure-location, which must be among them)."`
	Tags       map[string]string `placeholder:"KEY=VALUE;..." help:"Tags besides strata's created-by and created-at."`
}

func (g *azureCreateGalleryImageCmd) Run(a *app, c *azureCmd) error {
	switch {
	case g.Source == "" && g.Blob == "":
		return platform.Usagef("--source-image or --blob: the version needs a source")
	case g.Blob != "" && g.Account == "":
		return platform.Usagef("--blob needs --storage-account-id, the resource ID of the blob's storage account")
	case g.Source != "":
		ref, err := api.ParseImage(g.Source)
		if err != nil {
			return platform.Usagef("--source-image %q: %v", g.Source, err)
		}
		if _, _, err := ref.ManagedImage(); err != nil {
			return platform.Usagef("--source-image: %v", err)
		}
	}
	offer, sku := g.Offer, g.SKU
	if offer == "" {
		offer = g.Definition
	}
	if sku == "" {
		sku = g.Definition
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	now := time.Now()
	if err := client.EnsureGallery(ctx, g.Group, g.Gallery, azure.Tags(nil, now)); err != nil {
		return err
	}
	if err := client.EnsureGalleryImage(ctx, api.GalleryImageSpec{Group: g.Group, Gallery: g.Gallery, Name: g.Definition,
		Publisher: g.Publisher, Offer: offer, SKU: sku, HyperVGeneration: g.Generation, Tags: azure.Tags(nil, now)}); err != nil {
		return err
	}
	v, err := client.CreateGalleryImageVersion(ctx, api.GalleryVersionSpec{Group: g.Group, Gallery: g.Gallery, Image: g.Definition, Version: g.Version,
		SourceImage: g.Source, BlobURI: g.Blob, StorageAccount: g.Account, Regions: g.Regions, Tags: azure.Tags(g.Tags, now)})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "gallery image version %s %s, replication %s to %s\n", v.ID, v.State, v.Replication, strings.Join(v.Regions, ", "))
	fmt.Fprintf(a.stdout, "boot it with: kola run -p azure --azure-image %s\n", v.ID)
	return nil
}

type azureListImagesCmd struct {
	All  bool `help:"List every managed image and gallery image version in the subscription, not only strata's."`
	JSON bool `name:"json" help:"Print JSON."`
}

func (l *azureListImagesCmd) Run(a *app, c *azureCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	all, err := client.Images(ctx)
	if err != nil {
		return err
	}
	versions, err := client.GalleryImageVersions(ctx)
	if err != nil {
		return err
	}
	all = append(all, versions...)
	var imgs []api.Image
	for _, im := range all {
		if l.All || im.Tags[azure.CreatedByTag] == azure.CreatedBy {
			imgs = append(imgs, im)
		}
	}
	if l.JSON {
		return writeList(a, imgs)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "GROUP\tNAME\tGENERATION\tSTATE\tCREATED\tSOURCE")
	for _, im := range imgs {
		name := im.Name
		if im.Gallery { // GALLERY/DEFINITION/VERSION, in the regions it is in
			parts := strings.Split(im.ID, "/")
			name = fmt.Sprintf("%s/%s/%s (%s)", parts[len(parts)-5], parts[len(parts)-3], im.Name, strings.Join(im.Regions, ","))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", im.Group, name, im.HyperVGeneration, im.State, im.Tags[azure.CreatedAtTag], im.Source)
	}
	return w.Flush()
}

type azureDeleteImageCmd struct {
	Images []string `arg:"" name:"image" placeholder:"GROUP/NAME|ID" help:"Images: a managed image's resource group and name, or the resource ID of a managed image or gallery image version."`
}

func (d *azureDeleteImageCmd) Run(a *app, c *azureCmd) error {
	type ref struct{ group, name, version string }
	var refs []ref
	for _, s := range d.Images {
		if r, err := api.ParseImage(s); err == nil && strings.HasPrefix(s, "/") && strings.Contains(strings.ToLower(s), "/galleries/") {
			refs = append(refs, ref{version: r.ID})
			continue
		}
		group, name, err := imageName(s)
		if err != nil {
			return platform.Usagef("image %q: %v", s, err)
		}
		refs = append(refs, ref{group: group, name: name})
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	for _, r := range refs {
		if r.version != "" {
			// ARM answers a deletion of nothing as a success.
			if err := client.CheckImage(ctx, api.ImageRef{ID: r.version}); err != nil {
				return err
			}
			if err := client.DeleteGalleryImageVersion(ctx, r.version); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "deleted gallery image version %s\n", r.version)
			continue
		}
		// ARM answers a deletion of nothing as a success.
		if _, err := client.Image(ctx, r.group, r.name); err != nil {
			return err
		}
		if err := client.DeleteImage(ctx, r.group, r.name); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "deleted image %s/%s\n", r.group, r.name)
	}
	return nil
}

// imageName reads GROUP/NAME or a managed image's resource ID.
func imageName(s string) (group, name string, err error) {
	if strings.HasPrefix(s, "/") {
		ref, err := api.ParseImage(s)
		if err != nil {
			return "", "", err
		}
		return ref.ManagedImage()
	}
	group, name, ok := strings.Cut(s, "/")
	if !ok || group == "" || name == "" || strings.Contains(name, "/") {
		return "", "", fmt.Errorf("neither GROUP/NAME nor a resource ID")
	}
	return group, name, nil
}
