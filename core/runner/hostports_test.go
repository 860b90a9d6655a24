package runner

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

// Tests naming the same host port never run at once; a test naming
// another runs beside them.
func TestHostPortsExclude(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	var (
		mu             sync.Mutex
		inNFS, maxNFS  int
		otherRunning   = make(chan struct{})
		sawOtherWithin = true
	)
	nfs := func(c cluster.TestCluster) {
		mu.Lock()
		inNFS++
		maxNFS = max(maxNFS, inNFS)
		mu.Unlock()
		select {
		case <-otherRunning:
		case <-time.After(10 * time.Second):
			mu.Lock()
			sawOtherWithin = false
			mu.Unlock()
		}
		time.Sleep(50 * time.Millisecond)
		mu.Lock()
		inNFS--
		mu.Unlock()
	}
	var once sync.Once
	e.add(t,
		register.Test{Name: "nfs.a", ClusterSize: 1, HostPorts: []int{2049, 111}, Run: nfs},
		register.Test{Name: "nfs.b", ClusterSize: 1, HostPorts: []int{111, 2049}, Run: nfs},
		register.Test{Name: "web", ClusterSize: 1, HostPorts: []int{8080}, Run: func(c cluster.TestCluster) {
			once.Do(func() { close(otherRunning) })
		}},
	)
	rep, err, _ := e.run(t, context.Background(), func(o *Options) { o.Parallel = "3" })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts.Passed != 3 {
		t.Errorf("counts %+v", rep.Counts)
	}
	if maxNFS != 1 {
		t.Errorf("%d tests holding port 2049 ran at once", maxNFS)
	}
	if !sawOtherWithin {
		t.Error("a test holding another port did not run beside them")
	}
}

func TestHostPortsCancel(t *testing.T) {
	var p hostPorts
	release, err := p.acquire(context.Background(), []int{80, 443}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	waited := 0
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	if _, err := p.acquire(ctx, []int{443}, func(int) { waited++ }); err == nil || !strings.Contains(err.Error(), "waiting for host port 443") {
		t.Errorf("acquire of a held port after cancel: %v", err)
	}
	if waited != 1 {
		t.Errorf("waiting called %d times", waited)
	}
	release()
	release2, err := p.acquire(context.Background(), []int{443, 80}, nil)
	if err != nil {
		t.Fatalf("ports not released: %v", err)
	}
	release2()
}

// A test asking for a machine shape is skipped where the platform cannot
// give it, saying why; where it can, its clusters get the shape.
func TestMachineShape(t *testing.T) {
	shaped := register.Test{Name: "shaped", ClusterSize: 1,
		Machine: platform.MachineShape{MinMemoryMiB: 2048, KernelArgs: "enforcing=0"}, Run: func(c cluster.TestCluster) {}}
	e := newEnv(t, platformtest.Options{})
	e.add(t, shaped)
	rep, err, _ := e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := byName(rep)["shaped"]; r.Status != Skipped || !strings.Contains(strings.Join(r.Messages, " "), "cannot shape machines (the test asks for minMemory, appendKernelArgs)") {
		t.Errorf("on a platform that shapes nothing: %+v", r)
	}

	e = newEnv(t, platformtest.Options{CheckShape: func(s platform.MachineShape) error {
		if s.KernelArgs != "" {
			return errors.New("appendKernelArgs: this image boots from its disk")
		}
		return nil
	}})
	e.add(t, shaped, register.Test{Name: "memory", ClusterSize: 1, Machine: platform.MachineShape{MinMemoryMiB: 2048}, Run: func(c cluster.TestCluster) {}})
	rep, err, _ = e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := byName(rep)["shaped"]; r.Status != Skipped || !strings.Contains(strings.Join(r.Messages, " "), "appendKernelArgs: this image boots from its disk") {
		t.Errorf("a shape the platform refuses: %+v", r)
	}
	if r := byName(rep)["memory"]; r.Status != Passed {
		t.Errorf("a shape the platform gives: %+v", r)
	}
	ms := e.fake.Created()
	if len(ms) != 1 || ms[0].Shape.MinMemoryMiB != 2048 {
		t.Errorf("machines made: %+v", ms)
	}
}
