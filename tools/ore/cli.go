package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/version"
	"github.com/strata-os/strata/tools/internal/kongexit"
)

// gcProgressInterval paces the gc commands' progress lines on stderr: a
// leaked account's thousands of deletions take minutes.
const gcProgressInterval = 2 * time.Second

// app is ore with its outside world, so tests can run it in-process.
type app struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	// ctx, when set, replaces signal handling (tests).
	ctx context.Context
}

type cli struct {
	LogLevel string `name:"log-level" enum:"debug,info,warn,error" default:"info" help:"Log level (${enum})."`

	Qemu          qemuCmd          `cmd:"" help:"Local QEMU images (the images kola boots with -p qemu)."`
	AWS           awsCmd           `cmd:"" name:"aws" help:"Amazon EC2 and S3: images, garbage collection, and a simulator to try things against."`
	GCE           gceCmd           `cmd:"" name:"gce" help:"Google Compute Engine and Cloud Storage: images, instances, garbage collection, and a simulator."`
	Azure         azureCmd         `cmd:"" name:"azure" help:"Microsoft Azure: managed images, garbage collection, and a simulator."`
	DO            doCmd            `cmd:"" name:"do" help:"DigitalOcean: custom images, garbage collection, and a simulator."`
	ESX           esxCmd           `cmd:"" name:"esx" help:"VMware vSphere: strata's virtual machines and templates, garbage collection, and govmomi's vCenter simulator."`
	OpenStack     openstackCmd     `cmd:"" name:"openstack" help:"OpenStack: Glance images, garbage collection, and a simulator."`
	Packet        packetCmd        `cmd:"" name:"packet" help:"Equinix Metal (the public service shut down on 2026-06-30; for API-compatible deployments): garbage collection and a simulator."`
	Download      downloadCmd      `cmd:"" help:"Download a file (URL, gs://, s3://), resuming one cut short, and keep it only if its signature or SHA-256 verifies."`
	DownloadImage downloadImageCmd `cmd:"" name:"download-image" help:"Download a distribution's published image of a release (Flatcar's layout by default), verify its signature, decompress it."`
	Version       versionCmd       `cmd:"" help:"Print the version."`
}

type versionCmd struct{}

func (versionCmd) Run(a *app) error {
	fmt.Fprintf(a.stdout, "ore %s\n", version.String())
	return nil
}

// parser is ore's command line.
func (a *app) parser(c *cli) (*kong.Kong, error) {
	return kong.New(c,
		kong.Name("ore"),
		kong.Description("Manage operating-system images and machines on strata's platforms."),
		kong.Writers(a.stdout, a.stderr),
		kongexit.Option(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.Bind(a),
		kong.Vars{"flatcar_image_url": FlatcarImageURL},
	)
}

func (a *app) main(args []string) (code int) {
	defer kongexit.Recover(&code)
	var c cli
	parser, err := a.parser(&c)
	if err != nil {
		fmt.Fprintln(a.stderr, "ore:", err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintln(a.stderr, "ore:", err)
		return 2
	}
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[c.LogLevel]
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	if err := kctx.Run(); err != nil {
		fmt.Fprintln(a.stderr, "ore:", err)
		if platform.IsUsage(err) {
			return 2
		}
		return 1
	}
	return 0
}

// connectTo is what every command on a cloud account starts with: a
// context that Ctrl-C cancels, and the cloud's client made under it (the
// context is let go if that fails).
func connectTo[C any](a *app, connect func(context.Context) (C, error)) (context.Context, context.CancelFunc, C, error) {
	ctx, stop := a.context()
	client, err := connect(ctx)
	if err != nil {
		stop()
		var none C
		return nil, nil, none, err
	}
	return ctx, stop, client, nil
}
