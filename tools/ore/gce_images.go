package main

import (
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/units"
	"github.com/schollz/progressbar/v3"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce"
	"github.com/strata-os/strata/providers/gce/api"
)

type gceUploadCmd struct {
	Bucket    string           `required:"" help:"Bucket to upload to."`
	Object    string           `help:"Object name (default: the file's name)."`
	ChunkSize units.Base2Bytes `name:"chunk-size" default:"8MiB" help:"Size of each request of the resumable upload (a multiple of 256KiB); a failed one is sent again."`
	Progress  bool             `default:"true" negatable:"" help:"Show a progress bar on stderr."`
	File      string           `arg:"" type:"existingfile" help:"Image file to upload."`
}

func (u *gceUploadCmd) Run(a *app, c *gceCmd) error {
	if u.ChunkSize < 256*units.KiB || u.ChunkSize%(256*units.KiB) != 0 {
		return platform.Usage(fmt.Errorf("--chunk-size %s: must be a multiple of 256KiB", u.ChunkSize))
	}
	f, err := os.Open(u.File)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	name := u.Object
	if name == "" {
		name = filepath.Base(u.File)
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	spec := api.UploadSpec{Bucket: u.Bucket, Object: name, Body: f, ChunkSize: int(u.ChunkSize)}
	if u.Progress {
		bar := progressbar.NewOptions64(fi.Size(), progressbar.OptionSetWriter(a.stderr), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("upload "+filepath.Base(u.File)), progressbar.OptionThrottle(100_000_000), progressbar.OptionShowCount())
		spec.Progress = func(sent int64) { _ = bar.Set64(sent) }
		defer func() { _ = bar.Finish(); fmt.Fprintln(a.stderr) }()
	}
	obj, err := gce.Upload(ctx, client, spec)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "uploaded %s to gs://%s/%s: %d bytes, CRC32C %08x checked\n", u.File, obj.Bucket, obj.Name, obj.Size, obj.CRC32C)
	return nil
}

type gceCreateImageCmd struct {
	Source string        `required:"" placeholder:"gs://BUCKET/OBJECT" help:"Uploaded image file (a .tar.gz holding disk.raw)."`
	Name   string        `required:"" help:"Image name (unique in the project)."`
	Family string        `help:"Image family, so --gce-image PROJECT/FAMILY finds the newest."`
	Arch   string        `enum:"X86_64,ARM64" default:"X86_64" help:"Architecture: ${enum}."`
	Poll   time.Duration `default:"10s" help:"How often to check on the creation."`
}

func (i *gceCreateImageCmd) Run(a *app, c *gceCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	img, err := gce.CreateImage(ctx, client, gce.ImageSpec{Source: i.Source, Name: i.Name, Family: i.Family, Architecture: i.Arch, Poll: i.Poll})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "image %s (family %q) %s from %s\n", img.Name, img.Family, img.Status, i.Source)
	return nil
}

type gceListImagesCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (l *gceListImagesCmd) Run(a *app, c *gceCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	imgs, err := gce.Images(ctx, client)
	if err != nil {
		return err
	}
	if l.JSON {
		return writeList(a, imgs)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tFAMILY\tSTATUS\tCREATED")
	for _, im := range imgs {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", im.Name, im.Family, im.Status, im.Created.Format(time.RFC3339))
	}
	return w.Flush()
}

type gceDeleteImagesCmd struct {
	Names []string      `arg:"" name:"image" help:"Image names."`
	Poll  time.Duration `default:"5s" help:"How often to check on a deletion."`
}

func (d *gceDeleteImagesCmd) Run(a *app, c *gceCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	for _, name := range d.Names {
		if err := gce.DeleteImage(ctx, client, name, d.Poll); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "deleted image %s\n", name)
	}
	return nil
}

type gceListInstancesCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

func (l *gceListInstancesCmd) Run(a *app, c *gceCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	ins, err := gce.Instances(ctx, client)
	if err != nil {
		return err
	}
	if l.JSON {
		return writeList(a, ins)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tSTATUS\tPUBLIC IP\tPRIVATE IP\tCREATED")
	for _, in := range ins {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", in.Name, in.Status, in.PublicIP, in.PrivateIP, in.Created.Format(time.RFC3339))
	}
	return w.Flush()
}

type gceDestroyInstancesCmd struct {
	Names []string      `arg:"" name:"instance" help:"Instance names."`
	Poll  time.Duration `default:"5s" help:"How often to check on a deletion."`
}

func (d *gceDestroyInstancesCmd) Run(a *app, c *gceCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	for _, name := range d.Names {
		if err := gce.DeleteInstance(ctx, client, name, d.Poll); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "deleted instance %s\n", name)
	}
	return nil
}

// writeList prints a list as JSON; an empty one as [], not null.
func writeList[T any](a *app, list []T) error {
	if list == nil {
		list = []T{}
	}
	return writeJSON(a, list)
}
