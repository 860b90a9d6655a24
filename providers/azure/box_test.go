package azure

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/api"
	"github.com/strata-os/strata/providers/azure/sim"
	"github.com/strata-os/strata/providers/qemu/box"
	"github.com/strata-os/strata/providers/qemu/box/boxtest"
	"github.com/strata-os/strata/providers/qemu/media"
)

// A managed image made from an uploaded VHD boots in the box (through
// SeaBIOS: generation V1); the machine's creation waits for its guest to
// report ready, and a guest that stops first fails it as Azure does
// (OSProvisioningClientError) rather than at the boot timeout; deleting
// the image removes the box's copy of its VHD.
func TestBootedMachine(t *testing.T) {
	b, bx, c := bootBlank(t)
	ctx := context.Background()
	boxtest.WantDisks(t, bx, 1)
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	boxtest.CrashWhileWaiting(t, bx, fl, "OSProvisioningClientError")
	if err := c.DeleteImage(ctx, "images", "blank"); err != nil {
		t.Fatal(err)
	}
	boxtest.WantDisks(t, bx, 0)
}

// A launch throttled and a launch refused in the middle of a cluster of
// booting machines leave no QEMU process and no cloud resource.
func TestFaultsMidCluster(t *testing.T) {
	b, bx, _ := bootBlank(t)
	fl, err := b.NewFlight(context.Background(), platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	// The images group is the test's, not the flight's.
	leftovers := func() []string {
		return slices.DeleteFunc(b.Leftovers(), func(r string) bool { return r == "flight group images" })
	}
	boxtest.FaultsMidCluster(t, bx, fl, b.s.Faults(), "Microsoft.Compute/virtualMachines/write", leftovers)
}

// A machine boots with Azure's provisioning disc in its drive: UDF, with
// ovf-env.xml saying who the machine is and CustomData.bin holding its
// custom data, which is where Ignition looks when IMDS has no user data.
func TestProvisioningDisc(t *testing.T) {
	b, bx, _ := bootBlank(t)
	ctx := context.Background()
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	ign := `{"ignition":{"version":"3.4.0"}}`
	disc := boxtest.BootedDisc(t, bx, fl, conf.Ignition(ign))
	if disc == "" {
		t.Fatal("the machine has no disc in its drive")
	}
	if out, err := exec.Command("blkid", "-p", "-s", "TYPE", "-o", "value", disc).Output(); err == nil && strings.TrimSpace(string(out)) != "udf" {
		t.Errorf("blkid says the disc is %q; Ignition looks for udf", out)
	}
	env, err := media.ReadFile(ctx, disc, "ovf-env.xml")
	if err != nil || !strings.Contains(string(env), "<UserName xmlns=\"http://schemas.microsoft.com/windowsazure\">core</UserName>") {
		t.Errorf("ovf-env.xml: %v\n%s", err, env)
	}
	custom, err := media.ReadFile(ctx, disc, "CustomData.bin")
	if err != nil || !strings.Contains(string(custom), `"ignition":{"version":"3.4.0"`) {
		t.Errorf("CustomData.bin: %v %q", err, custom)
	}
}

// bootBlank starts a simulator with a box and a blank disk, uploaded as
// a VHD, made into the managed image kola boots.
func bootBlank(t *testing.T) (*simBackend, *box.Box, *api.Client) {
	t.Helper()
	needQemuImg(t)
	needGenisoimage(t)
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
	b.flags.Image = img.ID
	b.flags.BootTimeout = 5 * time.Minute
	return b, bx, c
}
