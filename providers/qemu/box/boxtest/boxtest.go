// Package boxtest is what the providers' cloud-in-a-box tests share: a
// small box, a disk with nothing to boot, and the check that a machine
// whose QEMU dies while kola waits for SSH ends the wait at once, through
// the provider's own code path.
package boxtest

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/qemu/box"
)

// BlankDisk is a raw disk of zeros: SeaBIOS finds nothing to boot on it
// and says so on the serial port.
func BlankDisk() []byte { return make([]byte, 1<<20) }

// New is a box of small TCG machines, closed when the test ends; the
// test is skipped where QEMU is not installed.
func New(t *testing.T) *box.Box {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("QEMU not installed")
	}
	bx, err := box.New(box.Config{Dir: t.TempDir(), Accel: "tcg", MemoryMiB: 128})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bx.Close() })
	return bx
}

// CrashWhileWaiting makes a machine in a cluster of fl, of an image of
// BlankDisk, and
// crashes its QEMU once its firmware has said it found nothing to boot,
// while the provider waits for SSH: the wait must end with an error
// saying want (how the cloud reports a stopped machine) well before the
// boot timeout, with the machine's real console. Then it destroys c and
// checks the box runs nothing.
func CrashWhileWaiting(t *testing.T, bx *box.Box, fl platform.Flight, want string) {
	t.Helper()
	ctx := context.Background()
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
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("NewMachine: %v; want an error saying %q", err, want)
	}
	if took := time.Since(start); took > 2*time.Minute {
		t.Errorf("the wait took %v: it ended at the timeout, not when the machine stopped", took)
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
}

// WantDisks checks the box keeps n disks (an image's, or none once it
// was deleted).
func WantDisks(t *testing.T, bx *box.Box, n int) {
	t.Helper()
	if disks, _ := bx.Disks(); len(disks) != n {
		t.Errorf("the box keeps disks %v, want %d", disks, n)
	}
}

// FaultsMidCluster runs a cluster of fl through the fault engine with
// booting machines: the first machine's create is throttled twice on the
// way (the client retries) and it boots (a blank disk, so it never
// answers SSH); while it waits, the second's create is refused, which
// NewMachine must report; destroying the flight then stops the first
// machine's QEMU and leaves nothing in the cloud (leftovers lists what is
// there). create is the simulator's name for the machine-creating call.
func FaultsMidCluster(t *testing.T, bx *box.Box, fl platform.Flight, faults *fault.Engine, create string, leftovers func() []string) {
	t.Helper()
	ctx := context.Background()
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "faults"})
	if err != nil {
		t.Fatal(err)
	}
	faults.Set(fault.Rule{Call: create, Times: 2, Effect: fault.Throttle})
	first := make(chan error, 1)
	go func() {
		_, err := c.NewMachine(ctx, nil)
		first <- err
	}()
	for deadline := time.Now().Add(2 * time.Minute); len(bx.Running()) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first machine never booted")
		}
	}
	faults.Set(fault.Rule{Call: create, Times: 1, Effect: fault.Error, Message: "strata-test refused launch"})
	if _, err := c.NewMachine(ctx, nil); err == nil || !strings.Contains(err.Error(), "strata-test refused launch") {
		t.Errorf("the refused machine: %v; want the cloud's refusal", err)
	}
	faults.Set()
	if err := fl.Destroy(ctx); err != nil {
		t.Errorf("destroy the flight: %v", err)
	}
	select {
	case err := <-first:
		if err == nil {
			t.Error("the first machine (a blank disk) answered SSH")
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the first machine's wait did not end when its flight was destroyed")
	}
	if ids := bx.Running(); len(ids) != 0 {
		t.Errorf("the box still runs %v", ids)
	}
	if left := leftovers(); len(left) != 0 {
		t.Errorf("left in the cloud: %v", left)
	}
}

// BootedDisc starts a machine of fl with userdata ud (it keeps waiting
// for SSH: the blank disk never answers) and returns the file of the disc in its
// CD-ROM drive once the box runs it; the test must destroy fl, which ends
// the wait.
func BootedDisc(t *testing.T, bx *box.Box, fl platform.Flight, ud *conf.UserData) string {
	t.Helper()
	c, err := fl.NewCluster(context.Background(), platform.ClusterOptions{Name: "disc"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = c.NewMachine(context.Background(), ud)
	}()
	// The test destroys fl (which ends the wait) before its cleanups run;
	// the machine's wait must be over before the next test starts.
	t.Cleanup(func() {
		select {
		case <-done:
		case <-time.After(2 * time.Minute):
			t.Error("the machine's wait did not end when its flight was destroyed")
		}
	})
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ids := bx.Running(); len(ids) == 1 {
			in, _ := bx.Instance(ids[0])
			return in.Disc()
		}
	}
	t.Fatal("the machine never booted")
	return ""
}
