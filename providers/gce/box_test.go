package gce

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/sim"
	"github.com/strata-os/strata/providers/qemu/box"
)

// blankDiskTarGz is Compute Engine's image format around a blank disk:
// SeaBIOS finds nothing to boot and says so on the serial port.
func blankDiskTarGz(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	disk := make([]byte, 1<<20)
	if err := tw.WriteHeader(&tar.Header{Name: "disk.raw", Mode: 0o644, Size: int64(len(disk))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(disk)
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// An image made from an uploaded disk boots in the box: the serial port
// is the machine's; a machine whose QEMU dies while kola waits for SSH
// ends the wait at once, saying the instance terminated; deleting the
// image removes the box's copy of its disk.
func TestBootedMachine(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("QEMU not installed")
	}
	defer func(d time.Duration) { watchInterval = d }(watchInterval)
	watchInterval = 200 * time.Millisecond
	bx, err := box.New(box.Config{Dir: t.TempDir(), Accel: "tcg", MemoryMiB: 128})
	if err != nil {
		t.Fatal(err)
	}
	defer bx.Close()
	b := startSim(t, sim.Options{Box: bx})
	ctx := context.Background()
	b.s.AddObject(bucket, "blank.tar.gz", blankDiskTarGz(t), nil, time.Now())
	if _, err := CreateImage(ctx, b.api, ImageSpec{Source: "gs://" + bucket + "/blank.tar.gz", Name: "blank", Architecture: "X86_64", Poll: 5 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if disks, _ := bx.Disks(); len(disks) != 1 {
		t.Fatalf("the box keeps %v, want the image's disk", disks)
	}
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
	consoles := make(chan string, 1)
	go func() {
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if ids := bx.Running(); len(ids) == 1 {
				in, _ := bx.Instance(ids[0])
				for !strings.Contains(in.Console(), "No bootable device") && time.Now().Before(deadline) {
					time.Sleep(50 * time.Millisecond)
				}
				consoles <- in.Console()
				_ = bx.Crash(ids[0])
				return
			}
		}
		consoles <- ""
	}()
	start := time.Now()
	_, err = c.NewMachine(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "is TERMINATED") {
		t.Fatalf("NewMachine: %v; want the instance terminated", err)
	}
	if took := time.Since(start); took > 2*time.Minute {
		t.Errorf("the wait took %v: it ended at the timeout, not when the instance stopped", took)
	}
	if con := <-consoles; !strings.Contains(con, "SeaBIOS") {
		t.Errorf("the machine's console: %q", con)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if ids := bx.Running(); len(ids) != 0 {
		t.Errorf("the box still runs %v", ids)
	}
	if err := DeleteImage(ctx, b.api, "blank", 5*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if disks, _ := bx.Disks(); len(disks) != 0 {
		t.Errorf("the box keeps %v after the image went", disks)
	}
}
