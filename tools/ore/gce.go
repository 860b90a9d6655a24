package main

import (
	"context"
	"fmt"
	"time"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/providers/gce"
	"github.com/strata-os/strata/providers/gce/api"
	"github.com/strata-os/strata/providers/gce/sim"
)

type gceCmd struct {
	gce.Account `embed:""`

	GC               gceGCCmd               `cmd:"" name:"gc" help:"Delete what strata's runs left: resources strata labelled as its own and older than --duration."`
	Upload           gceUploadCmd           `cmd:"" help:"Upload an image file (a .tar.gz holding disk.raw) to Cloud Storage: resumable, in checked chunks."`
	CreateImage      gceCreateImageCmd      `cmd:"" help:"Create an image from an uploaded file."`
	ListImages       gceListImagesCmd       `cmd:"" help:"List the images strata made (by the label it puts on them)."`
	DeleteImages     gceDeleteImagesCmd     `cmd:"" help:"Delete images."`
	ListInstances    gceListInstancesCmd    `cmd:"" help:"List the instances strata made (by the label it puts on them)."`
	DestroyInstances gceDestroyInstancesCmd `cmd:"" help:"Delete instances (and their boot disks)."`
	Simulate         gceSimulateCmd         `cmd:"" help:"Serve strata's Compute Engine and Cloud Storage simulator, to try kola and ore against by hand."`
}

// connect is what every command on the account starts with.
func (c *gceCmd) connect(a *app) (context.Context, context.CancelFunc, *api.Client, error) {
	return connectTo(a, func(ctx context.Context) (*api.Client, error) { return gce.Connect(ctx, c.Account, a.log, nil) })
}

type gceGCCmd struct {
	gcFlags `embed:""`
	Bucket  string `placeholder:"NAME" help:"Also delete the objects strata uploaded to this bucket (by their metadata)."`
}

func (g *gceGCCmd) Run(a *app, c *gceCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	items, err := gce.GC(ctx, client, g.Bucket, g.options(a))
	return g.report(a, "gce", " in "+client.Project()+"/"+client.Zone(), items, err)
}

type gceSimulateCmd struct {
	Listen    string `default:"127.0.0.1:8687" help:"Address to serve on."`
	Bucket    string `default:"kola-images" help:"Bucket the simulated project starts with."`
	bootFlags `embed:""`
}

func (s *gceSimulateCmd) Run(a *app, c *gceCmd, kctx *kong.Context) error {
	if err := refuseFlags(kctx, "the simulator needs no credentials", "gce-endpoint", "gce-json-key"); err != nil {
		return err
	}
	project := c.Project
	if project == "" {
		project = "strata-sim"
	}
	ctx, stop := a.context()
	defer stop()
	ln, err := listen(s.Listen)
	if err != nil {
		return err
	}
	b, stopBox, err := s.open(a)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopBox()
	server := sim.New(sim.Options{Project: project, Zone: c.Zone, Box: b, Logger: a.log})
	server.AddBucket(s.Bucket)
	server.AddImage("kinvolk-public", "flatcar-stable-sim", "flatcar-stable", nil, time.Now())
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(a.stdout, "Compute Engine and Cloud Storage simulator on %s (project %s, zone %s, network default, bucket %q, public image family kinvolk-public/flatcar-stable).\n", url, project, c.Zone, s.Bucket)
	s.describe(a.stdout, b)
	fmt.Fprintf(a.stdout, "Try, in another shell:\n")
	fmt.Fprintf(a.stdout, "  kola spawn -p gce --gce-endpoint %s --gce-project %s --gce-zone %s --gce-image kinvolk-public/flatcar-stable\n", url, project, c.Zone)
	fmt.Fprintf(a.stdout, "  ore gce --gce-endpoint %s --gce-project %s --gce-zone %s upload --bucket %s FILE.tar.gz\n", url, project, c.Zone, s.Bucket)
	fmt.Fprintf(a.stdout, "  ore gce --gce-endpoint %s --gce-project %s --gce-zone %s gc --dry-run --duration 1s --bucket %s\n", url, project, c.Zone, s.Bucket)
	fmt.Fprintf(a.stdout, "Ctrl-C stops it.\n")
	return serve(ctx, ln, server)
}
