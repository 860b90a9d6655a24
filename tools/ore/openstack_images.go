package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack"
	"github.com/strata-os/strata/providers/openstack/api"
)

type openstackCreateImageCmd struct {
	Name       string            `required:"" help:"Image name."`
	File       string            `required:"" type:"existingfile" placeholder:"PATH" help:"Disk image: qcow2 or raw."`
	DiskFormat string            `name:"disk-format" enum:"auto,qcow2,raw" default:"auto" help:"The file's format: ${enum} (auto: qcow2 if the file says so, else raw)."`
	Tags       []string          `help:"Tags besides strata's (repeatable)."`
	Properties map[string]string `name:"property" placeholder:"KEY=VALUE" help:"Image properties, such as os_distro=flatcar or hw_firmware_type=uefi (repeatable)."`
	Progress   bool              `default:"true" negatable:"" help:"Show a progress bar on stderr."`
}

// qcow2Magic starts every qcow2 file.
var qcow2Magic = []byte("QFI\xfb")

func (i *openstackCreateImageCmd) Run(a *app, c *openstackCmd) error {
	f, err := os.Open(i.File)
	if err != nil {
		return platform.Usage(fmt.Errorf("--file: %w", err))
	}
	head := make([]byte, 4)
	_, rerr := io.ReadFull(f, head)
	fi, serr := f.Stat()
	f.Close()
	if serr != nil {
		return fmt.Errorf("--file: %w", serr)
	}
	if rerr != nil || fi.Size() == 0 {
		return platform.Usagef("--file %s: too short to be a disk image (%d bytes)", i.File, fi.Size())
	}
	format := i.DiskFormat
	if format == "auto" {
		format = "raw"
		if bytes.Equal(head, qcow2Magic) {
			format = "qcow2"
		}
	} else if format == "raw" && bytes.Equal(head, qcow2Magic) {
		return platform.Usagef("--file %s is qcow2, not raw (--disk-format)", i.File)
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	spec := api.ImageSpec{Name: i.Name, DiskFormat: format, Tags: append([]string{openstack.ImageTag}, i.Tags...), Properties: i.Properties}
	var progress func(int64)
	if i.Progress {
		bar := progressbar.NewOptions64(fi.Size(), progressbar.OptionSetWriter(a.stderr), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("upload "+filepath.Base(i.File)), progressbar.OptionThrottle(100_000_000), progressbar.OptionShowCount())
		progress = func(sent int64) { _ = bar.Set64(sent) }
		defer func() { _ = bar.Finish(); fmt.Fprintln(a.stderr) }()
	}
	im, err := client.CreateImage(ctx, spec, i.File, progress)
	if err != nil {
		return err
	}
	digest := "SHA-512"
	if im.HashAlgo != "sha512" {
		digest = "MD5"
	}
	fmt.Fprintf(a.stdout, "image %s (%s) %s: %s, %d bytes, %s checked\n", im.ID, im.Name, im.Status, format, im.Size, digest)
	fmt.Fprintf(a.stdout, "boot it with: kola run -p openstack --os-image %s\n", im.ID)
	return nil
}

type openstackListImagesCmd struct {
	All  bool `help:"List every image the project sees, not only strata's."`
	JSON bool `name:"json" help:"Print JSON."`
}

func (l *openstackListImagesCmd) Run(a *app, c *openstackCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	tag := openstack.ImageTag
	if l.All {
		tag = ""
	}
	imgs, err := client.Images(ctx, tag)
	if err != nil {
		return err
	}
	slices.SortFunc(imgs, func(a, b api.Image) int { return a.Created.Compare(b.Created) })
	if l.JSON {
		return writeList(a, imgs)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tSTATUS\tFORMAT\tSIZE\tCREATED\tTAGS")
	for _, im := range imgs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", im.ID, im.Name, im.Status, im.DiskFormat, im.Size, im.Created.Format(time.RFC3339), strings.Join(im.Tags, ","))
	}
	return w.Flush()
}

type openstackDeleteImageCmd struct {
	IDs []string `arg:"" name:"id" help:"Image IDs."`
}

func (d *openstackDeleteImageCmd) Run(a *app, c *openstackCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	for _, id := range d.IDs {
		// The client takes a 404 on delete as done: ask first, so a wrong
		// ID is an error.
		if _, err := client.Image(ctx, id); err != nil {
			return err
		}
		if err := client.DeleteImage(ctx, id); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "deleted image %s\n", id)
	}
	return nil
}
