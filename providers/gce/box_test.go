package gce

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/sim"
	"github.com/strata-os/strata/providers/qemu/box/boxtest"
)

// blankDiskTarGz is Compute Engine's image format around a blank disk:
// SeaBIOS finds nothing to boot and says so on the serial port.
func blankDiskTarGz(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	disk := boxtest.BlankDisk()
	if err := tw.WriteHeader(&tar.Header{Name: "disk.raw", Mode: 0o644, Size: int64(len(disk))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(disk)
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// An image made from an uploaded disk boots in the box; a machine whose
// QEMU dies while kola waits for SSH ends the wait at once, saying the
// instance terminated; deleting the image removes the box's copy of its
// disk.
func TestBootedMachine(t *testing.T) {
	bx := boxtest.New(t)
	defer func(d time.Duration) { watchInterval = d }(watchInterval)
	watchInterval = 200 * time.Millisecond
	b := startSim(t, sim.Options{Box: bx})
	ctx := context.Background()
	b.s.AddObject(bucket, "blank.tar.gz", blankDiskTarGz(t), nil, time.Now())
	if _, err := CreateImage(ctx, b.api, ImageSpec{Source: "gs://" + bucket + "/blank.tar.gz", Name: "blank", Architecture: "X86_64", Poll: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	boxtest.WantDisks(t, bx, 1)
	b.flags.Image = "blank"
	b.flags.BootTimeout = 5 * time.Minute
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "stops"})
	if err != nil {
		t.Fatal(err)
	}
	boxtest.CrashWhileWaiting(t, bx, c, "is TERMINATED")
	if err := DeleteImage(ctx, b.api, "blank", 5*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	boxtest.WantDisks(t, bx, 0)
}
