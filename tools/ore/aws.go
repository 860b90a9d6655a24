package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws"
	"github.com/strata-os/strata/providers/aws/api"
	"github.com/strata-os/strata/providers/aws/sim"
)

type awsCmd struct {
	aws.Account `embed:""`

	GC          awsGCCmd          `cmd:"" name:"gc" help:"Delete what strata's runs left: resources strata tagged as its own and older than --duration."`
	Initialize  awsInitializeCmd  `cmd:"" help:"Create the S3 bucket images are uploaded to, and the vmimport role that lets EC2 import from it."`
	Upload      awsUploadCmd      `cmd:"" help:"Upload an image file to S3: parallel multipart, checked, resumable."`
	CreateImage awsCreateImageCmd `cmd:"" help:"Import an uploaded image as a snapshot and register an AMI from it."`
	ListImages  awsListImagesCmd  `cmd:"" help:"List the AMIs strata made (by the tag it puts on them)."`
	CopyImage   awsCopyImageCmd   `cmd:"" help:"Copy an AMI to other regions."`
	DeleteImage awsDeleteImageCmd `cmd:"" help:"Deregister AMIs and delete their snapshots."`
	Simulate    awsSimulateCmd    `cmd:"" help:"Serve strata's EC2 simulator, to try kola and ore against by hand."`
}

// connect is what every command on the account starts with.
func (c *awsCmd) connect(a *app) (context.Context, context.CancelFunc, *api.Client, error) {
	return connectTo(a, func(ctx context.Context) (*api.Client, error) { return aws.Connect(ctx, c.Account, a.log, nil) })
}

type awsGCCmd struct {
	gcFlags `embed:""`
	Bucket  string `placeholder:"NAME" help:"Also delete the objects strata uploaded to this bucket (by their metadata)."`
}

func (g *awsGCCmd) Run(a *app, c *awsCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	items, err := aws.GC(ctx, client, g.Bucket, g.options(a))
	return g.report(a, "aws", " in "+client.Region(), items, err)
}

type awsSimulateCmd struct {
	Listen        string `default:"127.0.0.1:8686" help:"Address to serve on."`
	SecurityGroup string `name:"security-group" default:"kola" help:"Security group the simulated account starts with (kola's --aws-sg)."`
	bootFlags     `embed:""`
}

func (s *awsSimulateCmd) Run(a *app, c *awsCmd, kctx *kong.Context) error {
	if err := refuseFlags(kctx, "the simulator serves every region here and needs no credentials", "aws-endpoint", "aws-profile", "aws-credentials-file"); err != nil {
		return err
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
	cloud := sim.NewCloud(sim.Options{Box: b, Logger: a.log})
	cloud.Region(c.Region).AddSecurityGroup(s.SecurityGroup)
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(a.stdout, "EC2 (every region), S3 and IAM simulator on %s (security group %q in %s).\n", url, s.SecurityGroup, c.Region)
	s.describe(a.stdout, b)
	fmt.Fprintf(a.stdout, "Try, in another shell:\n")
	fmt.Fprintf(a.stdout, "  export AWS_ACCESS_KEY_ID=sim AWS_SECRET_ACCESS_KEY=sim\n")
	fmt.Fprintf(a.stdout, "  kola spawn -p aws --aws-endpoint %s --aws-ami ami-0123456789abcdef0\n", url)
	fmt.Fprintf(a.stdout, "  ore aws --aws-endpoint %s gc --dry-run --duration 1s\n", url)
	fmt.Fprintf(a.stdout, "  ore aws --aws-endpoint %s initialize --bucket images && ore aws --aws-endpoint %s upload --bucket images FILE\n", url, url)
	fmt.Fprintf(a.stdout, "Ctrl-C stops it.\n")
	return serve(ctx, ln, cloud.Handler())
}

// refuseFlags refuses the named flags if given: the command accepts
// them (they are its parent's) but would not use them.
func refuseFlags(kctx *kong.Context, why string, names ...string) error {
	for _, p := range kctx.Path {
		if p.Flag != nil && slices.Contains(names, p.Flag.Name) {
			return platform.Usagef("--%s: not used by %s: %s", p.Flag.Name, kctx.Command(), why)
		}
	}
	return nil
}

// simStateDir is where a simulator writes the credentials files it
// prints: --state-dir (made if missing), or a new temporary directory
// that cleanup removes.
func simStateDir(dir, cloud string) (string, func(), error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return "", nil, platform.Usage(fmt.Errorf("--state-dir: %w", err))
		}
		return dir, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "strata-"+cloud+"-sim-")
	if err != nil {
		return "", nil, err
	}
	return dir, func() { os.RemoveAll(dir) }, nil
}

// listen opens a simulator's address; a bad one is a usage error.
func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, platform.Usage(fmt.Errorf("--listen %s: %w", addr, err))
	}
	return ln, nil
}

// serve serves a simulator on ln until ctx ends (Ctrl-C).
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = hs.Close()
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// context is cancelled by SIGINT or SIGTERM, or is the test's.
func (a *app) context() (context.Context, context.CancelFunc) {
	if a.ctx != nil {
		return context.WithCancel(a.ctx)
	}
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
