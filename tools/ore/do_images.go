package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do"
	"github.com/strata-os/strata/providers/do/api"
)

type doCreateImageCmd struct {
	Name         string        `required:"" help:"Image name."`
	URL          string        `required:"" name:"url" placeholder:"URL" help:"Where DigitalOcean fetches the image from (raw, qcow2 or VHD, optionally gzip or bzip2; an http(s) URL it can reach)."`
	Region       string        `default:"sfo3" help:"Region the image is made in."`
	Distribution string        `help:"Distribution name DigitalOcean shows (default: Unknown)."`
	Tags         []string      `help:"Tags besides strata's (repeatable)."`
	Timeout      time.Duration `default:"30m" help:"How long the import may take."`
	Poll         time.Duration `default:"10s" hidden:"" help:"How often the import is looked at."`
}

func (i *doCreateImageCmd) Run(a *app, c *doCmd) error {
	if !strings.HasPrefix(i.URL, "http://") && !strings.HasPrefix(i.URL, "https://") {
		return platform.Usagef("--url %q: not an http(s) URL DigitalOcean can fetch", i.URL)
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	ctx, cancel := context.WithTimeoutCause(ctx, i.Timeout, fmt.Errorf("the import took more than --timeout %v", i.Timeout))
	defer cancel()
	tags := append([]string{do.CreatedByTag}, i.Tags...)
	img, err := client.ImportImage(ctx, api.ImportSpec{Name: i.Name, URL: i.URL, Region: i.Region, Distribution: i.Distribution, Tags: tags, Poll: i.Poll})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "image %d (%s) %s in %s\n", img.ID, img.Name, img.Status, i.Region)
	fmt.Fprintf(a.stdout, "boot it with: kola run -p do --do-image %d --do-region %s\n", img.ID, i.Region)
	return nil
}

type doListImagesCmd struct {
	All  bool `help:"List every image of the account, not only strata's."`
	JSON bool `name:"json" help:"Print JSON."`
}

func (l *doListImagesCmd) Run(a *app, c *doCmd) error {
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
		if l.All || slices.Contains(im.Tags, do.CreatedByTag) {
			imgs = append(imgs, im)
		}
	}
	if l.JSON {
		return writeList(a, imgs)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tSTATUS\tCREATED\tTAGS")
	for _, im := range imgs {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", im.ID, im.Name, im.Status, im.Created.Format(time.RFC3339), strings.Join(im.Tags, ","))
	}
	return w.Flush()
}

type doDeleteImageCmd struct {
	IDs []string `arg:"" name:"id" help:"Image IDs."`
}

func (d *doDeleteImageCmd) Run(a *app, c *doCmd) error {
	var ids []int
	for _, s := range d.IDs {
		id, err := strconv.Atoi(s)
		if err != nil || id <= 0 {
			return platform.Usagef("image %q: not an image ID", s)
		}
		ids = append(ids, id)
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	for _, id := range ids {
		// DigitalOcean answers a deletion of nothing with 404, which the
		// client takes as done: ask first, so a wrong ID is an error.
		if _, err := client.Image(ctx, id); err != nil {
			return err
		}
		if err := client.DeleteImage(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "deleted image %d\n", id)
	}
	return nil
}
