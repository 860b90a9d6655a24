package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/providers/openstack"
	"github.com/strata-os/strata/providers/openstack/api"
	"github.com/strata-os/strata/providers/openstack/sim"
)

type openstackCmd struct {
	openstack.Account `embed:""`

	GC          openstackGCCmd          `cmd:"" name:"gc" help:"Delete what strata's runs left: servers, floating IPs, ports, security groups, key pairs and images strata made, older than --duration."`
	CreateImage openstackCreateImageCmd `cmd:"" help:"Upload a qcow2 or raw disk to Glance as an image, and check what Glance stored."`
	ListImages  openstackListImagesCmd  `cmd:"" help:"List the images strata uploaded (by the tag it puts on them)."`
	DeleteImage openstackDeleteImageCmd `cmd:"" help:"Delete images."`
	Simulate    openstackSimulateCmd    `cmd:"" help:"Serve strata's OpenStack simulator (Keystone, Nova, Glance, Neutron), to try kola and ore against by hand."`
}

// connect is what every command on the cloud starts with.
func (c *openstackCmd) connect(a *app) (context.Context, context.CancelFunc, *api.Client, error) {
	return connectTo(a, func(ctx context.Context) (*api.Client, error) { return openstack.Connect(ctx, c.Account, a.log, nil) })
}

type openstackGCCmd struct {
	gcFlags `embed:""`
}

func (g *openstackGCCmd) Run(a *app, c *openstackCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	items, err := openstack.GC(ctx, client, g.options(a))
	return g.report(a, "openstack", "", items, err)
}

type openstackSimulateCmd struct {
	Listen    string `default:"127.0.0.1:8690" help:"Address to serve on."`
	StateDir  string `name:"state-dir" type:"path" placeholder:"DIR" help:"Where to write clouds.yaml and secure.yaml for the simulator (for --os-clouds-file) (default: a new temporary directory, removed on exit)."`
	bootFlags `embed:""`
}

func (s *openstackSimulateCmd) Run(a *app, c *openstackCmd, kctx *kong.Context) error {
	if err := refuseFlags(kctx, "the simulator makes its own", "os-cloud", "os-clouds-file", "os-region", "os-interface"); err != nil {
		return err
	}
	ctx, stop := a.context()
	defer stop()
	ln, err := listen(s.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	dir, cleanup, err := simStateDir(s.StateDir, "openstack")
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
	// A password made for this run: nothing outside this machine takes it.
	password := rand.Text()
	server.AddUser("strata", password)
	url := "http://" + ln.Addr().String()
	cloudsYAML := fmt.Sprintf("clouds:\n  sim:\n    auth:\n      auth_url: %s/identity\n      username: strata\n      project_name: %s\n"+
		"      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n    interface: public\n    identity_api_version: 3\n", url, sim.ProjectName)
	clouds := filepath.Join(dir, "clouds.yaml")
	if err := os.WriteFile(clouds, []byte(cloudsYAML), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "secure.yaml"), []byte("clouds:\n  sim:\n    auth:\n      password: "+password+"\n"), 0o600); err != nil {
		return err
	}
	account := "--os-cloud sim --os-clouds-file " + clouds
	fmt.Fprintf(a.stdout, "OpenStack simulator on %s (Keystone at %s/identity; image cirros, flavors m1.tiny to m1.large, networks private and public).\n", url, url)
	s.describe(a.stdout, b)
	fmt.Fprintf(a.stdout, "Its clouds.yaml (cloud \"sim\") is %s, the password in secure.yaml beside it.\n", clouds)
	fmt.Fprintf(a.stdout, "Try, in another shell:\n")
	fmt.Fprintf(a.stdout, "  kola spawn -p openstack %s --os-image cirros --os-floating-ip-pool public\n", account)
	fmt.Fprintf(a.stdout, "  ore openstack %s create-image --name flatcar --file flatcar.qcow2\n", account)
	fmt.Fprintf(a.stdout, "  ore openstack %s gc --dry-run --duration 1s\n", account)
	fmt.Fprintf(a.stdout, "Ctrl-C stops it.\n")
	return serve(ctx, ln, server)
}
