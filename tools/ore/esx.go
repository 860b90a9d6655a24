package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/esx"
	"github.com/strata-os/strata/providers/esx/api"
	"github.com/strata-os/strata/providers/esx/vcsim"
)

type esxCmd struct {
	esx.Account `embed:""`

	UploadOVA esxUploadOVACmd `cmd:"" name:"upload-ova" help:"Import an OVA (such as ore qemu build-image … --format ova makes) as a template to clone, through the NFC lease, its disks checked against its manifest."`
	GC        esxGCCmd        `cmd:"" name:"gc" help:"Delete what strata's runs left: virtual machines and templates strata marked, older than --duration."`
	List      esxListCmd      `cmd:"" help:"List the virtual machines and templates strata marked."`
	Delete    esxDeleteCmd    `cmd:"" help:"Power off and delete virtual machines or templates strata marked, by name."`
	Simulate  esxSimulateCmd  `cmd:"" help:"Serve govmomi's vCenter simulator (vcsim) with strata's guest agent, to try kola and ore against by hand."`
}

// connect is what every command on the server starts with.
func (c *esxCmd) connect(a *app) (context.Context, context.CancelFunc, *api.Client, error) {
	return connectTo(a, func(ctx context.Context) (*api.Client, error) {
		return esx.Connect(ctx, c.Account, api.Options{}, a.log)
	})
}

type esxUploadOVACmd struct {
	File         string `arg:"" type:"existingfile" help:"The OVA."`
	Name         string `help:"Name of the template (default: the file's name without .ova)."`
	VM           bool   `name:"vm" help:"Import it as a virtual machine, not a template."`
	ResourcePool string `name:"resource-pool" placeholder:"PATH" help:"Resource pool (default: the only one)."`
	Datastore    string `placeholder:"NAME" help:"Datastore (default: the only one)."`
	Folder       string `placeholder:"PATH" help:"VM folder (default: the datacenter's)."`
	Progress     bool   `default:"true" negatable:"" help:"Show the upload's progress on stderr."`
}

func (u *esxUploadOVACmd) Run(a *app, c *esxCmd) error {
	name := u.Name
	if name == "" {
		name = strings.TrimSuffix(filepath.Base(u.File), ".ova")
	}
	ctx, stop, client, err := connectTo(a, func(ctx context.Context) (*api.Client, error) {
		return esx.Connect(ctx, c.Account, api.Options{ResourcePool: u.ResourcePool, Datastore: u.Datastore, Folder: u.Folder}, a.log)
	})
	if err != nil {
		return err
	}
	defer stop()
	defer client.Close(context.WithoutCancel(ctx))
	spec := api.OVASpec{File: u.File, Name: name, Annotation: esx.ImageMark(name, time.Now()), Template: !u.VM}
	if u.Progress {
		spec.Progress = a.stderr
	}
	vm, err := client.ImportOVA(ctx, spec)
	if err != nil {
		return err
	}
	kind := "template"
	if u.VM {
		kind = "virtual machine"
	}
	fmt.Fprintf(a.stdout, "imported %s as %s %s (%s)\n", u.File, kind, name, vm.Ref.Value)
	fmt.Fprintf(a.stdout, "boot it with: kola run -p esx --esx-template %s\n", name)
	return nil
}

type esxGCCmd struct {
	gcFlags `embed:""`
}

func (g *esxGCCmd) Run(a *app, c *esxCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	defer client.Close(context.WithoutCancel(ctx))
	items, err := esx.GC(ctx, client, g.options(a))
	return g.report(a, "esx", "", items, err)
}

type esxListCmd struct {
	JSON bool `name:"json" help:"Print JSON."`
}

// esxVM is a listed machine.
type esxVM struct {
	Name, ID, PowerState, Annotation string
	Template                         bool
}

func (l *esxListCmd) Run(a *app, c *esxCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	defer client.Close(context.WithoutCancel(ctx))
	vms, err := client.VMs(ctx, esx.MarkPrefix)
	if err != nil {
		return err
	}
	list := make([]esxVM, 0, len(vms))
	for _, vm := range vms {
		list = append(list, esxVM{Name: vm.Name, ID: vm.Ref.Value, PowerState: vm.PowerState, Annotation: vm.Annotation, Template: vm.Template})
	}
	slices.SortFunc(list, func(a, b esxVM) int { return strings.Compare(a.Name, b.Name) })
	if l.JSON {
		return writeList(a, list)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tID\tPOWER\tTEMPLATE\tMARK")
	for _, vm := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%v\t%s\n", vm.Name, vm.ID, vm.PowerState, vm.Template, vm.Annotation)
	}
	return w.Flush()
}

type esxDeleteCmd struct {
	Names []string `arg:"" name:"name" help:"Names of virtual machines or templates strata marked."`
}

func (d *esxDeleteCmd) Run(a *app, c *esxCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	defer client.Close(context.WithoutCancel(ctx))
	vms, err := client.VMs(ctx, esx.MarkPrefix)
	if err != nil {
		return err
	}
	for _, name := range d.Names {
		i := slices.IndexFunc(vms, func(vm api.VM) bool { return vm.Name == name })
		if i < 0 {
			// Only what strata marked: a typo must not delete a colleague's VM.
			return platform.Usagef("%s: no virtual machine or template strata marked has that name (ore esx list shows them)", name)
		}
		if err := client.Destroy(ctx, vms[i].Ref); err != nil {
			return err
		}
		fmt.Fprintf(a.stdout, "deleted %s (%s)\n", name, vms[i].Ref.Value)
	}
	return nil
}

type esxSimulateCmd struct {
	Listen   string `default:"127.0.0.1:8692" help:"Address to serve on."`
	StateDir string `name:"state-dir" type:"path" placeholder:"DIR" help:"Where to write a config file with the simulator's password and its CA certificate (for --esx-config-file and --esx-ca-file) (default: a new temporary directory, removed on exit)."`
}

func (s *esxSimulateCmd) Run(a *app, c *esxCmd, kctx *kong.Context) error {
	if err := refuseFlags(kctx, "the simulator makes its own", "esx-server", "esx-user", "esx-password", "esx-config-file", "esx-datacenter", "esx-ca-file", "esx-insecure"); err != nil {
		return err
	}
	ctx, stop := a.context()
	defer stop()
	dir, cleanup, err := simStateDir(s.StateDir, "esx")
	if err != nil {
		return err
	}
	defer cleanup()
	password := rand.Text()
	sim, err := vcsim.Start(vcsim.Options{Listen: s.Listen, User: "strata@vsphere.local", Password: password})
	if err != nil {
		return platform.Usage(fmt.Errorf("--listen %s: %w", s.Listen, err))
	}
	defer sim.Close()
	ca, err := os.ReadFile(sim.CAFile)
	if err != nil {
		return err
	}
	caFile := filepath.Join(dir, "ca.pem")
	config := filepath.Join(dir, "esx.yaml")
	if err := os.WriteFile(caFile, ca, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(config, []byte("user: strata@vsphere.local\npassword: "+password+"\n"), 0o600); err != nil {
		return err
	}
	account := fmt.Sprintf("--esx-server %s --esx-config-file %s --esx-ca-file %s", sim.URL, config, caFile)
	fmt.Fprintf(a.stdout, "vCenter simulator (govmomi's vcsim) on %s (datacenter DC0, template VM %s, datastore LocalDS_0); its machines are made but never boot, and report an address a moment after they power on.\n", sim.URL, sim.Template)
	fmt.Fprintf(a.stdout, "A config file with its user and password is %s, its CA certificate %s.\n", config, caFile)
	fmt.Fprintf(a.stdout, "Try, in another shell:\n")
	fmt.Fprintf(a.stdout, "  kola spawn -p esx %s --esx-template %s\n", account, sim.Template)
	fmt.Fprintf(a.stdout, "  ore esx %s list\n", account)
	fmt.Fprintf(a.stdout, "  ore esx %s gc --dry-run --duration 1s\n", account)
	fmt.Fprintf(a.stdout, "Ctrl-C stops it.\n")
	<-ctx.Done()
	return nil
}
