package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/providers/do"
	"github.com/strata-os/strata/providers/do/api"
	"github.com/strata-os/strata/providers/do/sim"
)

type doCmd struct {
	do.Account `embed:""`

	GC          doGCCmd          `cmd:"" name:"gc" help:"Delete what strata's runs left: droplets, volumes, snapshots and images tagged strata and the SSH keys strata added, older than --duration."`
	CreateImage doCreateImageCmd `cmd:"" help:"Import a custom image from a URL and wait until it is available."`
	ListImages  doListImagesCmd  `cmd:"" help:"List the custom images strata made (by the tag it puts on them)."`
	DeleteImage doDeleteImageCmd `cmd:"" help:"Delete images."`
	Simulate    doSimulateCmd    `cmd:"" help:"Serve strata's DigitalOcean API simulator, to try kola and ore against by hand."`
}

// connect is what every command on the account starts with.
func (c *doCmd) connect(a *app) (context.Context, context.CancelFunc, *api.Client, error) {
	return connectTo(a, func(ctx context.Context) (*api.Client, error) { return do.Connect(ctx, c.Account, a.log, nil) })
}

type doGCCmd struct {
	gcFlags `embed:""`
}

func (g *doGCCmd) Run(a *app, c *doCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	items, err := do.GC(ctx, client, g.options(a))
	return g.report(a, "do", "", items, err)
}

type doSimulateCmd struct {
	Listen    string `default:"127.0.0.1:8689" help:"Address to serve on."`
	StateDir  string `name:"state-dir" type:"path" placeholder:"DIR" help:"Where to write a doctl config file with the simulator's token (for --do-config-file) (default: a new temporary directory, removed on exit)."`
	bootFlags `embed:""`
}

func (s *doSimulateCmd) Run(a *app, c *doCmd, kctx *kong.Context) error {
	if err := refuseFlags(kctx, "the simulator makes its own", "do-endpoint", "do-config-file", "do-context"); err != nil {
		return err
	}
	ctx, stop := a.context()
	defer stop()
	ln, err := listen(s.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	dir, cleanup, err := simStateDir(s.StateDir, "do")
	if err != nil {
		return err
	}
	defer cleanup()
	b, stopBox, err := s.open(a)
	if err != nil {
		return err
	}
	defer stopBox()
	server := sim.New(sim.Options{Box: b, Logger: a.log})
	// A token made for this run: nothing outside this machine takes it.
	token := "dop_v1_sim_" + rand.Text()
	server.AddToken(token)
	config := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(config, []byte("access-token: "+token+"\n"), 0o600); err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	account := fmt.Sprintf("--do-endpoint %s --do-config-file %s", url, config)
	fmt.Fprintf(a.stdout, "DigitalOcean API simulator on %s (images ubuntu-24-04-x64, debian-12-x64, fedora-41-x64).\n", url)
	s.describe(a.stdout, b)
	fmt.Fprintf(a.stdout, "A doctl config file with its token is %s.\n", config)
	fmt.Fprintf(a.stdout, "Try, in another shell:\n")
	fmt.Fprintf(a.stdout, "  kola spawn -p do %s --do-image debian-12-x64\n", account)
	fmt.Fprintf(a.stdout, "  ore do %s create-image --name disk --url http://127.0.0.1:8000/disk.qcow2   # it fetches the URL\n", account)
	fmt.Fprintf(a.stdout, "  ore do %s gc --dry-run --duration 1s\n", account)
	fmt.Fprintf(a.stdout, "Ctrl-C stops it.\n")
	return serve(ctx, ln, server)
}
