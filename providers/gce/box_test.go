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
	"github.com/strata-os/strata/providers/qemu/box"
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
	b, bx := bootBlank(t)
	ctx := context.Background()
	boxtest.WantDisks(t, bx, 1)
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	boxtest.CrashWhileWaiting(t, bx, fl, "is TERMINATED")
	if err := DeleteImage(ctx, b.api, "blank", 5*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	boxtest.WantDisks(t, bx, 0)
}

// A launch throttled and a launch refused in the middle of a cluster of
// booting machines leave no QEMU process and no cloud resource.
func TestFaultsMidCluster(t *testing.T) {
	b, bx := bootBlank(t)
	fl, err := b.NewFlight(context.Background(), platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	boxtest.FaultsMidCluster(t, bx, fl, b.s.Faults(), "compute.instances.insert", b.Leftovers)
}

// bootBlank starts a simulator with a box and a blank disk made into the
// image kola boots.
func bootBlank(t *testing.T) (*simBackend, *box.Box) {
	t.Helper()
	bx := boxtest.New(t)
	interval := watchInterval
	t.Cleanup(func() { watchInterval = interval })
	watchInterval = 200 * time.Millisecond
	b := startSim(t, sim.Options{Box: bx})
	b.s.AddObject(bucket, "blank.tar.gz", blankDiskTarGz(t), nil, time.Now())
	if _, err := CreateImage(context.Background(), b.api, ImageSpec{Source: "gs://" + bucket + "/blank.tar.gz", Name: "blank", Architecture: "X86_64", Poll: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	b.flags.Image = "blank"
	b.flags.BootTimeout = 5 * time.Minute
	return b, bx
}
