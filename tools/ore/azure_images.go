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

type azureListImagesCmd struct {
	All  bool `help:"List every managed image in the subscription, not only strata's."`
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
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", im.Group, im.Name, im.HyperVGeneration, im.State, im.Tags[azure.CreatedAtTag], im.Source)
	}
	return w.Flush()
}

type azureDeleteImageCmd struct {
	Images []string `arg:"" name:"image" placeholder:"GROUP/NAME|ID" help:"Images: resource group and name, or resource ID."`
}

func (d *azureDeleteImageCmd) Run(a *app, c *azureCmd) error {
	type ref struct{ group, name string }
	var refs []ref
	for _, s := range d.Images {
		group, name, err := imageName(s)
		if err != nil {
			return platform.Usagef("image %q: %v", s, err)
		}
		refs = append(refs, ref{group, name})
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	for _, r := range refs {
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
