package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/alecthomas/units"
	"github.com/schollz/progressbar/v3"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws"
	"github.com/strata-os/strata/providers/aws/api"
)

type awsInitializeCmd struct {
	Bucket string `required:"" help:"Bucket to create (if missing)."`
	Role   bool   `default:"true" negatable:"" help:"Also make the vmimport role (if missing) and let it read the bucket."`
}

func (i *awsInitializeCmd) Run(a *app, c *awsCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	created, err := client.EnsureBucket(ctx, i.Bucket)
	if err != nil {
		return err
	}
	state := "exists"
	if created {
		state = "created"
	}
	fmt.Fprintf(a.stdout, "bucket s3://%s %s in %s\n", i.Bucket, state, client.Region())
	if !i.Role {
		return nil
	}
	created, err = client.EnsureImportRole(ctx, i.Bucket)
	if err != nil {
		return err
	}
	state = "exists"
	if created {
		state = "created"
	}
	fmt.Fprintf(a.stdout, "role %s %s; it may read s3://%s\n", api.ImportRole, state, i.Bucket)
	return nil
}

type awsUploadCmd struct {
	Bucket   string           `required:"" help:"Bucket (see ore aws initialize)."`
	Key      string           `help:"Object key (default: the file's name)."`
	PartSize units.Base2Bytes `name:"part-size" default:"16MiB" help:"Size of each part (at least 5MiB). Parts are read from the file as they are sent, so memory does not grow with it."`
	Parallel int              `default:"4" help:"Parts sent at once."`
	Progress bool             `default:"true" negatable:"" help:"Show a progress bar on stderr."`
	File     string           `arg:"" type:"existingfile" help:"Image file to upload."`
}

func (u *awsUploadCmd) Run(a *app, c *awsCmd) error {
	if u.Parallel < 1 {
		return platform.Usage(fmt.Errorf("--parallel %d: must be at least 1", u.Parallel))
	}
	if u.PartSize < 5*units.MiB {
		return platform.Usage(fmt.Errorf("--part-size %s: S3 parts are at least 5MiB", u.PartSize))
	}
	f, err := os.Open(u.File)
	if err != nil {
		return err
	}
	defer f.Close()
	key := u.Key
	if key == "" {
		key = filepath.Base(u.File)
	}
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	opts := api.UploadOptions{PartSize: int64(u.PartSize), Parallel: u.Parallel}
	if u.Progress {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		bar := progressbar.NewOptions64(fi.Size(), progressbar.OptionSetWriter(a.stderr), progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("upload "+filepath.Base(u.File)), progressbar.OptionThrottle(100_000_000), progressbar.OptionShowCount())
		opts.Progress = func(done, _ int64) { _ = bar.Set64(done) }
		defer func() { _ = bar.Finish(); fmt.Fprintln(a.stderr) }()
	}
	res, err := aws.Upload(ctx, client, u.Bucket, key, f, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "uploaded %s to s3://%s/%s: %d parts (%d already there from an interrupted upload), ETag %s checked\n",
		u.File, u.Bucket, key, res.Parts, res.Resumed, res.ETag)
	return nil
}
