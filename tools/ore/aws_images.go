package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/strata-os/strata/providers/aws"
)

type awsCreateImageCmd struct {
	Bucket string        `required:"" help:"Bucket the image was uploaded to."`
	Key    string        `required:"" help:"Object key of the image."`
	Name   string        `required:"" help:"AMI name (unique in the region)."`
	Format string        `enum:"raw,vmdk,vhd" default:"raw" help:"Disk format: ${enum}."`
	Arch   string        `enum:"x86_64,arm64" default:"x86_64" help:"Architecture: ${enum}."`
	Poll   time.Duration `default:"10s" help:"How often to check on the import."`
}

func (i *awsCreateImageCmd) Run(a *app, c *awsCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	img, err := aws.ImportImage(ctx, client, aws.ImportSpec{Bucket: i.Bucket, Key: i.Key, Format: i.Format, Arch: i.Arch, Name: i.Name, Poll: i.Poll})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "%s %s (snapshot %s) in %s\n", img.ID, img.Name, img.SnapshotIDs[0], client.Region())
	return nil
}

type awsListImagesCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (l *awsListImagesCmd) Run(a *app, c *awsCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	imgs, err := aws.Images(ctx, client)
	if err != nil {
		return err
	}
	if l.JSON {
		return writeList(a, imgs)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tARCH\tCREATED\tSNAPSHOTS")
	for _, im := range imgs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%v\n", im.ID, im.Name, im.Arch, im.Created.Format(time.RFC3339), im.SnapshotIDs)
	}
	return w.Flush()
}

type awsCopyImageCmd struct {
	To   []string      `name:"to-region" required:"" placeholder:"REGION" help:"Region to copy to (repeat, or separate with commas)."`
	Name string        `help:"Name of the copies (default: the source AMI's)."`
	Poll time.Duration `default:"10s" help:"How often to check on a copy."`
	ID   string        `arg:"" name:"ami" help:"AMI to copy, in --aws-region."`
}

func (cp *awsCopyImageCmd) Run(a *app, c *awsCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	src, err := aws.FindImage(ctx, client, cp.ID)
	if err != nil {
		return err
	}
	for _, region := range cp.To {
		img, err := aws.CopyImage(ctx, client, src, region, cp.Name, cp.Poll)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "%s %s (snapshot %s) in %s\n", img.ID, img.Name, img.SnapshotIDs[0], region)
	}
	return nil
}

type awsDeleteImageCmd struct {
	IDs []string `arg:"" name:"ami" help:"AMI IDs."`
}

func (d *awsDeleteImageCmd) Run(a *app, c *awsCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	for _, id := range d.IDs {
		im, err := aws.FindImage(ctx, client, id)
		if err != nil {
			return err
		}
		if err := client.DeleteImage(ctx, im); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "deleted %s and snapshots %v\n", id, im.SnapshotIDs)
	}
	return nil
}
