package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/providers/azure"
	"github.com/strata-os/strata/providers/azure/api"
	"github.com/strata-os/strata/providers/azure/sim"
)

type azureCmd struct {
	azure.Account `embed:""`

	GC                 azureGCCmd                 `cmd:"" name:"gc" help:"Delete what strata's runs left: resource groups, images and gallery image versions strata tagged as its own, and with --storage-account its uploaded blobs, older than --duration."`
	UploadBlob         azureUploadBlobCmd         `cmd:"" help:"Upload a disk image as a fixed VHD page blob: only its non-zero pages, in parallel, MD5-checked, resuming an interrupted upload."`
	CreateImage        azureCreateImageCmd        `cmd:"" help:"Create a managed image from an uploaded VHD page blob."`
	CreateGalleryImage azureCreateGalleryImageCmd `cmd:"" help:"Make a version of an Azure Compute Gallery image definition from a managed image or VHD blob, replicated to regions (the gallery and definition are made if missing)."`
	ListImages         azureListImagesCmd         `cmd:"" help:"List the managed images and gallery image versions strata made (by the tag it puts on them)."`
	DeleteImage        azureDeleteImageCmd        `cmd:"" help:"Delete managed images or gallery image versions."`
	Simulate           azureSimulateCmd           `cmd:"" help:"Serve strata's Resource Manager, Blob storage and Entra ID simulator over https, to try kola and ore against by hand."`
}

// connect is what every command on the account starts with.
func (c *azureCmd) connect(a *app) (context.Context, context.CancelFunc, *api.Client, error) {
	return connectTo(a, func(ctx context.Context) (*api.Client, error) { return azure.Connect(ctx, c.Account, a.log, nil) })
}

type azureGCCmd struct {
	gcFlags         `embed:""`
	StorageAccounts []string `name:"storage-account" placeholder:"NAME" help:"Also delete the blobs ore azure upload-blob left in this storage account (repeatable)."`
}

func (g *azureGCCmd) Run(a *app, c *azureCmd) error {
	ctx, stop, client, err := c.connect(a)
	if err != nil {
		return err
	}
	defer stop()
	items, err := azure.GC(ctx, client, g.options(a), azure.GCScope{StorageAccounts: g.StorageAccounts})
	return g.report(a, "azure", " in subscription "+client.Subscription(), items, err)
}

// What ore azure simulate starts with, for images: a resource group and
// a storage account in it.
const (
	simImageGroup     = "strata-images"
	simStorageAccount = "stratasim"
)

type azureSimulateCmd struct {
	Listen    string `default:"127.0.0.1:8688" help:"Address to serve on."`
	StateDir  string `name:"state-dir" type:"path" placeholder:"DIR" help:"Where to write the simulator's CA certificate (for --azure-ca-file) and a service principal's auth file (for --azure-auth) (default: a new temporary directory, removed on exit)."`
	bootFlags `embed:""`
}

func (s *azureSimulateCmd) Run(a *app, c *azureCmd, kctx *kong.Context) error {
	if err := refuseFlags(kctx, "the simulator makes its own", "azure-endpoint", "azure-auth", "azure-ca-file", "azure-subscription"); err != nil {
		return err
	}
	ctx, stop := a.context()
	defer stop()
	ln, err := listen(s.Listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	cert, caPEM, err := sim.Certificate([]string{host, "localhost"}, time.Now())
	if err != nil {
		return err
	}
	dir, cleanup, err := simStateDir(s.StateDir, "azure")
	if err != nil {
		return err
	}
	defer cleanup()
	b, stopBox, err := s.open(a)
	if err != nil {
		return err
	}
	defer stopBox()
	server := sim.New(sim.Options{Location: c.Location, Box: b, Logger: a.log})
	// A secret made for this run: nothing outside this machine accepts it.
	clientID, secret := "strata-sim-app", rand.Text()
	server.AddClient(clientID, secret)
	server.AddMarketplaceImage("kinvolk", "flatcar-container-linux-free", "stable", "4230.2.3")
	server.AddGroup(simImageGroup, nil)
	server.AddStorageAccount(simImageGroup, simStorageAccount)
	caFile, authFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "azureAuth.json")
	if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
		return err
	}
	auth, _ := json.Marshal(map[string]string{"clientId": clientID, "clientSecret": secret, "tenantId": server.Tenant(), "subscriptionId": server.Subscription()})
	if err := os.WriteFile(authFile, auth, 0o600); err != nil {
		return err
	}
	url := "https://" + ln.Addr().String()
	account := fmt.Sprintf("--azure-endpoint %s --azure-ca-file %s --azure-auth %s --azure-location %s", url, caFile, authFile, server.Location())
	fmt.Fprintf(a.stdout, "Resource Manager, Blob storage and Entra ID simulator on %s (subscription %s, location %s, marketplace image kinvolk:flatcar-container-linux-free:stable:4230.2.3, resource group %s with storage account %s).\n",
		url, server.Subscription(), server.Location(), simImageGroup, simStorageAccount)
	s.describe(a.stdout, b)
	fmt.Fprintf(a.stdout, "Its CA certificate is %s and a service principal's auth file %s.\n", caFile, authFile)
	fmt.Fprintf(a.stdout, "Try, in another shell:\n")
	fmt.Fprintf(a.stdout, "  kola spawn -p azure %s --azure-image kinvolk:flatcar-container-linux-free:stable:latest\n", account)
	fmt.Fprintf(a.stdout, "  ore azure %s upload-blob --storage-account %s disk.qcow2\n", account, simStorageAccount)
	fmt.Fprintf(a.stdout, "  ore azure %s create-image --resource-group %s --name disk --blob %s/%s/vhds/disk.vhd\n", account, simImageGroup, url, simStorageAccount)
	fmt.Fprintf(a.stdout, "  ore azure %s gc --dry-run --duration 1s\n", account)
	fmt.Fprintf(a.stdout, "Ctrl-C stops it.\n")
	return serve(ctx, tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}), server)
}
