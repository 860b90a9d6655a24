package azure

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/api"
	"github.com/strata-os/strata/providers/azure/sim"
	"github.com/strata-os/strata/providers/qemu/box/boxtest"
)

// A managed image made from an uploaded VHD boots in the box (through
// SeaBIOS: generation V1); the machine's creation waits for its guest to
// report ready, and a guest that stops first fails it as Azure does
// (OSProvisioningClientError) rather than at the boot timeout; deleting
// the image removes the box's copy of its VHD.
func TestBootedMachine(t *testing.T) {
	needQemuImg(t)
	bx := boxtest.New(t)
	b := startSim(t, sim.Options{Box: bx})
	b.s.AddGroup("images", nil)
	if !b.s.AddStorageAccount("images", "strataimages") {
		t.Fatal("no storage account")
	}
	ctx := context.Background()
	c, err := Connect(ctx, b.flags.Account, nil, b.tune)
	if err != nil {
		t.Fatal(err)
	}
	raw := filepath.Join(t.TempDir(), "blank.raw")
	if err := os.WriteFile(raw, boxtest.BlankDisk(), 0o644); err != nil {
		t.Fatal(err)
	}
	vhd, _, err := toFixedVHD(ctx, raw, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	up, err := UploadVHD(ctx, c, UploadSpec{File: vhd, Account: "strataimages", Container: "vhds", Blob: "blank.vhd"})
	if err != nil {
		t.Fatal(err)
	}
	img, err := c.CreateImage(ctx, api.ImageSpec{Group: "images", Name: "blank", BlobURI: up.URL, HyperVGeneration: "V1", Tags: Tags(nil, time.Now())})
	if err != nil {
		t.Fatal(err)
	}
	boxtest.WantDisks(t, bx, 1)
	b.flags.Image = img.ID
	b.flags.BootTimeout = 5 * time.Minute
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	cl, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "stops"})
	if err != nil {
		t.Fatal(err)
	}
	boxtest.CrashWhileWaiting(t, bx, cl, "OSProvisioningClientError")
	if err := c.DeleteImage(ctx, "images", "blank"); err != nil {
		t.Fatal(err)
	}
	boxtest.WantDisks(t, bx, 0)
}
