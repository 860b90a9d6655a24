package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure"
)

type azureUploadBlobCmd struct {
	StorageAccount string `required:"" name:"storage-account" placeholder:"NAME" help:"Storage account to upload into (it must exist)."`
	Container      string `default:"vhds" help:"Container (made if missing)."`
	Blob           string `placeholder:"NAME" help:"Blob name (default: the file's name, with .vhd for .vhd)."`
	Overwrite      bool   `help:"Replace a blob of the name that holds another file (without it, that is an error; the same file's blob is resumed or left as it is)."`
	Parallel       int    `default:"8" help:"Put Page calls at once."`
	Progress       bool   `default:"true" negatable:"" help:"Show a progress bar on stderr."`
	File           string `arg:"" type:"existingfile" help:"Disk image: a fixed VHD as it is, or anything qemu-img reads (raw, qcow2), converted to one first."`
}

func (u *azureUploadBlobCmd) Run(a *app, c *azureCmd) error {
	if u.Parallel < 1 {
		return platform.Usagef("--parallel %d: must be at least 1", u.Parallel)
	}
	name := u.Blob
	if name == "" {
		base := filepath.Base(u.File)
		name = strings.TrimSuffix(base, filepath.Ext(base)) + ".vhd"
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	spec := azure.UploadSpec{File: u.File, Account: u.StorageAccount, Container: u.Container, Blob: name, Overwrite: u.Overwrite, Parallel: u.Parallel}
	if u.Progress {
		var bar *progressbar.ProgressBar
		spec.Progress = func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(a.stderr), progressbar.OptionShowBytes(true),
					progressbar.OptionSetDescription("upload "+name), progressbar.OptionThrottle(100_000_000), progressbar.OptionShowCount())
			}
			_ = bar.Set64(done)
		}
		defer func() {
			if bar != nil {
				_ = bar.Finish()
				fmt.Fprintln(a.stderr)
			}
		}()
	}
	res, err := azure.UploadVHD(ctx, client, spec)
	if err != nil {
		return err
	}
	switch {
	case res.Complete:
		fmt.Fprintf(a.stdout, "%s is there already, whole (MD5 %x): nothing sent\n", res.URL, res.MD5)
	default:
		fmt.Fprintf(a.stdout, "uploaded %s to %s: %d bytes, %d sent, %d zero (not sent), %d sent by an earlier interrupted upload; MD5 %x checked\n",
			u.File, res.URL, res.Size, res.Sent, res.Zero, res.Resumed, res.MD5)
	}
	fmt.Fprintf(a.stdout, "make an image of it with: ore azure create-image --blob %s --resource-group GROUP --name NAME\n", res.URL)
	return nil
}
