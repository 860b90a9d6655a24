package openstack

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack/api"
	"github.com/strata-os/strata/providers/openstack/sim"
	"github.com/strata-os/strata/providers/qemu/box"
	"github.com/strata-os/strata/providers/qemu/box/boxtest"
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
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "stops"})
	if err != nil {
		t.Fatal(err)
	}
	boxtest.CrashWhileWaiting(t, bx, c, "is SHUTOFF")
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
