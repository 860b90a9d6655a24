package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/version"
	"github.com/strata-os/strata/tools/internal/kongexit"
)

// app is plume with its outside world, so tests can run it in-process.
type app struct {
	stdout, stderr io.Writer
	log            *slog.Logger
	// ctx, when set, replaces signal handling (tests).
	ctx context.Context
	// onStep, when set, is told every progress line (tests interrupt a
	// stage at a step with it).
	onStep func(line string)
}

type cli struct {
	LogLevel string `name:"log-level" enum:"debug,info,warn,error" default:"info" help:"Log level (${enum})."`
	releaseFlags
	awsFlags       `embed:"" group:"aws"`
	gceFlags       `embed:"" group:"gce"`
	azureFlags     `embed:"" group:"azure"`
	openstackFlags `embed:"" group:"openstack"`
	doFlags        `embed:"" group:"do"`

	PreRelease preReleaseCmd `cmd:"" name:"pre-release" help:"Upload the release's images and create them on each cloud, not public yet. Run again after a failure, it finishes the work."`
	Release    releaseCmd    `cmd:"" help:"Make a pre-released release's images public and publish its indexes (kola --aws-release-url reads them)."`
	Prune      pruneCmd      `cmd:"" help:"Delete the images of a channel's older releases, keeping the newest and the current one."`
	Index      indexCmd      `cmd:"" help:"Write index.html objects that make the release bucket a browsable tree."`
	Version    versionCmd    `cmd:"" help:"Print the version."`
}

// releaseFlags say which clouds a command works on.
type releaseFlags struct {
	Platforms []string `name:"platform" placeholder:"CLOUD" help:"Clouds to work on (aws, gce, azure, openstack, do); default every cloud whose release bucket is given."`
}

type versionCmd struct{}

func (versionCmd) Run(a *app) error {
	fmt.Fprintf(a.stdout, "plume %s\n", version.String())
	return nil
}

// errInterrupted ends a stage stopped by Ctrl-C or SIGTERM.
var errInterrupted = errors.New("interrupted; run the same command again to finish")

func (a *app) main(args []string) (code int) {
	defer kongexit.Recover(&code)
	var c cli
	parser, err := kong.New(&c,
		kong.Name("plume"),
		kong.Description("Release operating-system images on the clouds: pre-release, release, prune, index."),
		kong.Writers(a.stdout, a.stderr),
		kongexit.Option(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.ExplicitGroups([]kong.Group{{Key: "aws", Title: "AWS", Description: "Amazon EC2 and S3."},
			{Key: "gce", Title: "GCE", Description: "Google Compute Engine and Cloud Storage."},
			{Key: "azure", Title: "Azure", Description: "A version of the channel's Azure Compute Gallery image definition, excluded from latest until released (give --platform azure; the manifest goes to the other clouds' buckets)."},
			{Key: "openstack", Title: "OpenStack", Description: "Glance images (give --platform openstack; the manifest goes to the other clouds' buckets)."},
			{Key: "do", Title: "DigitalOcean", Description: "Custom images (give --platform do; they cannot be public, and the manifest goes to the other clouds' buckets)."}}),
		kong.Bind(a),
	)
	if err != nil {
		fmt.Fprintln(a.stderr, "plume:", err)
		return 2
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintln(a.stderr, "plume:", err)
		return 2
	}
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[c.LogLevel]
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	if err := kctx.Run(&c); err != nil {
		fmt.Fprintln(a.stderr, "plume:", err)
		switch {
		case errors.Is(err, errInterrupted):
			return 130
		case platform.IsUsage(err):
			return 2
		}
		return 1
	}
	return 0
}

// context is cancelled by Ctrl-C and SIGTERM (or is the test's).
func (a *app) context() (context.Context, context.CancelFunc) {
	if a.ctx != nil {
		return context.WithCancel(a.ctx)
	}
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}

// step prints a progress line for a cloud (and region).
func (a *app) step(cloud, region, what string) {
	line := where(cloud, region) + ": " + what
	fmt.Fprintln(a.stderr, "plume: "+line)
	if a.onStep != nil {
		a.onStep(line)
	}
}

// interrupted turns an error caused by ctx's end into errInterrupted.
func interrupted(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", errInterrupted, err)
	}
	return err
}
