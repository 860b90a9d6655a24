package aws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/sim"
	"github.com/strata-os/strata/providers/qemu/box"
	"github.com/strata-os/strata/providers/qemu/box/boxtest"
)

// A booted machine whose guest stops while kola waits for SSH (here its
// QEMU dies; a guest powering off does the same) ends the wait within a
// watch interval, saying the instance stopped, not at the boot timeout;
// and nothing is left.
func TestStoppedMachineEndsTheWait(t *testing.T) {
	b, bx := bootBlank(t)
	ctx := context.Background()
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "stops"})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		// Once the machine boots, its QEMU dies.
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if ids := bx.Running(); len(ids) == 1 {
				time.Sleep(500 * time.Millisecond)
				_ = bx.Crash(ids[0])
				return
			}
		}
	}()
	start := time.Now()
	_, err = c.NewMachine(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "is stopped") {
		t.Fatalf("NewMachine: %v; want the instance stopped", err)
	}
	if took := time.Since(start); took > 2*time.Minute {
		t.Errorf("the wait took %v: it ended at the timeout, not when the instance stopped", took)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	for _, in := range b.s.Instances() {
		if in.State != "terminated" {
			t.Errorf("instance %s left %s", in.ID, in.State)
		}
	}
	if ids := bx.Running(); len(ids) != 0 {
		t.Errorf("the box still runs %v", ids)
	}
}

// A launch throttled and a launch refused in the middle of a cluster of
// booting machines leave no QEMU process and no cloud resource.
func TestFaultsMidCluster(t *testing.T) {
	b, bx := bootBlank(t)
	fl, err := b.NewFlight(context.Background(), platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	boxtest.FaultsMidCluster(t, bx, fl, b.s.Faults(), "RunInstances", b.Leftovers)
}

// bootBlank starts a simulator with a box and a blank disk imported as
// the AMI kola boots: SeaBIOS finds nothing to boot and waits, as a
// guest that never brings SSH up would.
func bootBlank(t *testing.T) (*simBackend, *box.Box) {
	t.Helper()
	bx := boxtest.New(t)
	interval := watchInterval
	t.Cleanup(func() { watchInterval = interval })
	watchInterval = 200 * time.Millisecond
	b := startSim(t, sim.Options{Box: bx, PendingDescribes: 1})
	b.s3.AddObject("images", "blank.raw", boxtest.BlankDisk(), nil, time.Now())
	im, err := ImportImage(context.Background(), b.api, ImportSpec{Bucket: "images", Key: "blank.raw", Format: "raw", Arch: "x86_64", Name: "blank", Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b.flags.AMI = im.ID
	b.flags.BootTimeout = 5 * time.Minute
	return b, bx
}
