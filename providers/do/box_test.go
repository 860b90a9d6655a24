package do

import (
	"bytes"
	"compress/gzip"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do/api"
	"github.com/strata-os/strata/providers/do/sim"
	"github.com/strata-os/strata/providers/qemu/box"
	"github.com/strata-os/strata/providers/qemu/box/boxtest"
)

// A custom image imported from a URL (gzip-compressed, as DigitalOcean
// takes them) boots in the box; a machine whose QEMU dies while kola
// waits for SSH ends the wait at once, saying the droplet is off;
// deleting the image removes the box's copy of its disk.
func TestBootedMachine(t *testing.T) {
	b, bx, client, img := bootBlank(t)
	ctx := context.Background()
	if disks, _ := bx.Disks(); len(disks) != 1 || !strings.HasSuffix(disks[0], ".raw") {
		t.Fatalf("the box keeps %v, want the image's disk, decompressed", disks)
	}
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	boxtest.CrashWhileWaiting(t, bx, fl, "is off")
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
	boxtest.FaultsMidCluster(t, bx, fl, b.s.Faults(), "Droplets.Create", b.Leftovers)
}

// bootBlank starts a simulator with a box and a blank disk imported as
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
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(boxtest.BlankDisk())
	zw.Close()
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(gz.Bytes()) }))
	t.Cleanup(files.Close)
	img, err := client.ImportImage(ctx, api.ImportSpec{Name: "blank", URL: files.URL + "/blank.raw.gz", Region: "sfo3", Poll: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b.flags.Image = strconv.Itoa(img.ID)
	b.flags.BootTimeout = 5 * time.Minute
	return b, bx, client, img
}
