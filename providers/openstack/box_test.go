package openstack

import (
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack/api"
	"github.com/strata-os/strata/providers/openstack/sim"
	"github.com/strata-os/strata/providers/qemu/box"
	"github.com/strata-os/strata/providers/qemu/box/boxtest"
	"github.com/strata-os/strata/providers/qemu/media"
)

// An image uploaded as a disk boots in the box; a machine whose QEMU
// dies while kola waits for SSH ends the wait at once, saying the server
// is SHUTOFF; deleting the image removes the box's copy of its data.
func TestBootedMachine(t *testing.T) {
	b, bx, client, img := bootBlank(t)
	ctx := context.Background()
	boxtest.WantDisks(t, bx, 1)
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	boxtest.CrashWhileWaiting(t, bx, fl, "is SHUTOFF")
	if err := client.DeleteImage(ctx, img.ID); err != nil {
		t.Fatal(err)
	}
	boxtest.WantDisks(t, bx, 0)
}

// A launch throttled and a launch refused in the middle of a cluster of
// booting machines leave no QEMU process and no cloud resource.
func TestFaultsMidCluster(t *testing.T) {
	b, bx, _, _ := bootBlank(t)
	fl, err := b.NewFlight(context.Background(), platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	boxtest.FaultsMidCluster(t, bx, fl, b.s.Faults(), "servers.Create", b.Leftovers)
}

// A server made with a config drive boots with it: Nova's ISO 9660 disc
// labelled config-2, with the server's metadata and userdata.
func TestConfigDrive(t *testing.T) {
	if _, err := exec.LookPath("genisoimage"); err != nil {
		t.Skip("genisoimage (which writes config drives) is not installed")
	}
	b, bx, _, _ := bootBlank(t)
	b.flags.ConfigDrive = true
	ctx := context.Background()
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	disc := boxtest.BootedDisc(t, bx, fl, conf.Ignition(`{"ignition":{"version":"3.4.0"}}`))
	if disc == "" {
		t.Fatal("the server has no disc in its drive")
	}
	ids := b.s.Launched()
	md, err := media.ReadFile(ctx, disc, "openstack/latest/meta_data.json")
	if err != nil || len(ids) != 1 || !strings.Contains(string(md), `"uuid":"`+ids[0]+`"`) {
		t.Errorf("meta_data.json of %v: %s %v", ids, md, err)
	}
	in, _ := b.s.Instance(ids[0])
	if ud, err := media.ReadFile(ctx, disc, "openstack/latest/user_data"); err != nil || len(ud) == 0 || string(ud) != string(in.UserData) {
		t.Errorf("user_data %q %v; the server was made with %q", ud, err, in.UserData)
	}
}

// bootBlank starts a simulator with a box and a blank disk uploaded as
// the image kola boots.
func bootBlank(t *testing.T) (*simBackend, *box.Box, *api.Client, api.Image) {
	t.Helper()
	bx := boxtest.New(t)
	interval := watchInterval
	t.Cleanup(func() { watchInterval = interval })
	watchInterval = 200 * time.Millisecond
	b := startSim(t, sim.Options{Box: bx})
	ctx := context.Background()
	client, err := Connect(ctx, b.flags.Account, slog.New(slog.DiscardHandler), b.tune)
	if err != nil {
		t.Fatal(err)
	}
	blank := filepath.Join(t.TempDir(), "blank.raw")
	if err := os.WriteFile(blank, boxtest.BlankDisk(), 0o644); err != nil {
		t.Fatal(err)
	}
	img, err := client.CreateImage(ctx, api.ImageSpec{Name: "blank", DiskFormat: "raw"}, blank, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.flags.Image = img.ID
	b.flags.BootTimeout = 5 * time.Minute
	return b, bx, client, img
}
