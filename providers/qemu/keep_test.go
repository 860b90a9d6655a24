package qemu

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/sshclient"
	"github.com/strata-os/strata/providers/qemu/vm"
)

// A kept machine outlives its cluster and flight: still answering SSH with
// the flight's key, its console going on into its file; RemoveKept then
// kills it and removes its files, and a second RemoveKept finds nothing.
// A machine of the same flight that was not kept goes as before.
func TestKeep(t *testing.T) {
	ctx := context.Background()
	fl, err := NewFlight(ctx, testFlags(t), platform.FlightOptions{Name: "keep", KeepFailed: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	keptCluster, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "kept"})
	if err != nil {
		t.Fatal(err)
	}
	goneCluster, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "gone"})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := platform.NewMachines(ctx, keptCluster, 1, conf.Empty())
	if err != nil {
		t.Fatal(err)
	}
	other, err := goneCluster.NewMachine(ctx, conf.Empty())
	if err != nil {
		t.Fatal(err)
	}
	otherPid, otherDir := other.(*machine).vm.Pid(), other.(*machine).dir

	kept, err := keptCluster.(platform.Keeper).Keep(ctx)
	if err != nil || len(kept) != 1 {
		t.Fatalf("Keep: %v, %v", kept, err)
	}
	k := kept[0]
	if k.ID != ms[0].ID() || k.Platform != "qemu" || k.User == "" || !strings.HasPrefix(k.Addr, "127.0.0.1:") || k.Console == "" {
		t.Errorf("kept machine: %+v", k)
	}
	if len(keptCluster.Machines()) != 0 {
		t.Errorf("the cluster still lists its kept machine")
	}
	key := fl.SSHKey()
	if err := fl.Destroy(ctx); err != nil {
		t.Fatalf("destroy flight: %v", err)
	}
	if vm.RunsIn(otherPid, otherDir) {
		t.Errorf("a machine not kept outlived its flight")
	}
	pid, _ := strconv.Atoi(k.Handle["pid"])
	if !vm.RunsIn(pid, k.Handle["dir"]) {
		t.Fatalf("the kept machine died with its flight: %+v", k)
	}
	// Reached afresh, as kola ssh does from another process.
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := sshclient.Dial(sctx, k.Addr, sshclient.DialOptions{User: k.User, Signer: key.Signer})
	if err != nil {
		t.Fatalf("ssh to the kept machine: %v", err)
	}
	out, _, err := sshclient.Output(sctx, c, "echo still here > /dev/ttyS0 && echo ok")
	c.Close()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("command on the kept machine: %q, %v", out, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(k.Console)
		if strings.Contains(string(b), "still here") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the kept machine's console file %s lacks what was written after its flight", k.Console)
		}
		time.Sleep(50 * time.Millisecond)
	}

	running, err := RemoveKept(ctx, k)
	if err != nil || !running {
		t.Fatalf("RemoveKept: %v, %v", running, err)
	}
	if vm.RunsIn(pid, k.Handle["dir"]) {
		t.Errorf("QEMU still runs after RemoveKept")
	}
	if _, err := os.Stat(filepath.Dir(k.Handle["dir"])); !os.IsNotExist(err) {
		t.Errorf("the kept machine's cluster directory is still there: %v", err)
	}
	if running, err := RemoveKept(ctx, k); running || err != nil {
		t.Errorf("RemoveKept again: %v, %v", running, err)
	}
	if _, err := RemoveKept(ctx, platform.KeptMachine{ID: "x", Handle: map[string]string{"pid": "1", "dir": "/etc"}}); err == nil || !strings.Contains(err.Error(), "no usable pid and directory") {
		t.Errorf("RemoveKept of a record naming /etc: %v", err)
	}
}

// Only a flight made to keep machines keeps them.
func TestKeepNeedsKeepFailed(t *testing.T) {
	fl := newTestFlight(t, testFlags(t))
	c, err := fl.NewCluster(context.Background(), platform.ClusterOptions{Name: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.(platform.Keeper).Keep(context.Background()); err == nil || !strings.Contains(err.Error(), "KeepFailed") {
		t.Errorf("Keep without KeepFailed: %v", err)
	}
}
