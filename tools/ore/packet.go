package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/providers/packet"
	"github.com/strata-os/strata/providers/packet/api"
	"github.com/strata-os/strata/providers/packet/sim"
)

type packetCmd struct {
	packet.Account `embed:""`

	GC       packetGCCmd       `cmd:"" name:"gc" help:"Delete what strata's runs left: devices tagged strata and the project SSH keys strata added, older than --duration."`
	Simulate packetSimulateCmd `cmd:"" help:"Serve strata's Equinix Metal API simulator (with SOS consoles), to try kola and ore against by hand."`
}

// connect is what every command on the project starts with.
func (c *packetCmd) connect(a *app) (context.Context, context.CancelFunc, *api.Client, error) {
	return connectTo(a, func(ctx context.Context) (*api.Client, error) { return packet.Connect(ctx, c.Account, a.log, nil) })
}

type packetGCCmd struct {
	gcFlags `embed:""`
}

func (g *packetGCCmd) Run(a *app, c *packetCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	items, err := packet.GC(ctx, client, g.options(a))
	return g.report(a, "packet", "", items, err)
}

type packetSimulateCmd struct {
	Listen   string `default:"127.0.0.1:8691" help:"Address to serve on."`
	StateDir string `name:"state-dir" type:"path" placeholder:"DIR" help:"Where to write a metal CLI config file with the simulator's key and project (for --packet-config-file) (default: a new temporary directory, removed on exit)."`
}

func (s *packetSimulateCmd) Run(a *app, c *packetCmd, kctx *kong.Context) error {
	if err := refuseFlags(kctx, "the simulator makes its own", "packet-api-key", "packet-config-file", "packet-project", "packet-endpoint"); err != nil {
		return err
	}
	ctx, stop := a.context()
	defer stop()
	ln, err := listen(s.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	dir, cleanup, err := simStateDir(s.StateDir, "packet")
	if err != nil {
		return err
	}
	defer cleanup()
	server := sim.New(sim.Options{})
	stopSOS, err := server.ServeSOS()
	if err != nil {
		return err
	}
	defer stopSOS()
	// A key made for this run: nothing outside this machine takes it.
	key := "sim-" + rand.Text()
	server.AddToken(key)
	project := server.AddProject("strata")
	config := filepath.Join(dir, "metal.yaml")
	if err := os.WriteFile(config, []byte("token: "+key+"\nproject-id: "+project+"\n"), 0o600); err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	account := fmt.Sprintf("--packet-endpoint %s%s/ --packet-config-file %s", url, sim.Prefix, config)
	fmt.Fprintf(a.stdout, "Equinix Metal API simulator on %s (project %s, metros sv, da, ny, am, fr, sg); its devices are made but never boot.\n", url, project)
	fmt.Fprintf(a.stdout, "A metal CLI config file with its key and project is %s.\n", config)
	fmt.Fprintf(a.stdout, "Try, in another shell:\n")
	fmt.Fprintf(a.stdout, "  kola spawn -p packet %s --packet-ipxe-url http://boot.example/strata.ipxe\n", account)
	fmt.Fprintf(a.stdout, "  ore packet %s gc --dry-run --duration 1s\n", account)
	fmt.Fprintf(a.stdout, "Ctrl-C stops it.\n")
	return serve(ctx, ln, server)
}
