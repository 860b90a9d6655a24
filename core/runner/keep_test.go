package runner

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

func keepTests(e *env, t *testing.T) {
	e.add(t,
		register.Test{Name: "t.fails", ClusterSize: 2, Run: func(c cluster.TestCluster) { c.Fatal("broken") }},
		register.Test{Name: "t.passes", ClusterSize: 1, Run: func(c cluster.TestCluster) {}},
	)
}

// --keep-failed: the machines of a failed test, and only those, outlive
// the run and are handed to OnKept with the key; the provider's
// RemoveKept removes them.
func TestKeepFailed(t *testing.T) {
	e := newEnv(t, platformtest.Options{CanKeep: true})
	keepTests(e, t)
	var (
		mu   sync.Mutex
		kept []KeptTest
	)
	rep, err, progress := e.run(t, context.Background(), func(o *Options) {
		o.KeepFailed = true
		o.OnKept = func(_ context.Context, k KeptTest) error {
			mu.Lock()
			defer mu.Unlock()
			kept = append(kept, k)
			return nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Counts != (Counts{Passed: 1, Failed: 1}) {
		t.Errorf("counts %+v", rep.Counts)
	}
	if len(kept) != 1 || kept[0].Test != "t.fails" || len(kept[0].Machines) != 2 || kept[0].Key == nil || kept[0].OutputDir == "" {
		t.Fatalf("kept: %+v", kept)
	}
	var ids []string
	for _, m := range kept[0].Machines {
		ids = append(ids, m.ID)
		if m.Addr == "" || m.User == "" || m.Platform != "fake" {
			t.Errorf("kept machine %+v", m)
		}
	}
	slices.Sort(ids)
	if live := e.fake.Live(); !slices.Equal(live, ids) {
		t.Errorf("live after the run: %v, want the failed test's %v", live, ids)
	}
	if !strings.Contains(progress, "kept machine "+ids[0]) {
		t.Errorf("the failed test's log does not name its kept machines:\n%s", progress)
	}
	for _, m := range kept[0].Machines {
		if running, err := e.fake.Registration().RemoveKept(context.Background(), m); !running || err != nil {
			t.Errorf("RemoveKept %s: %v, %v", m.ID, running, err)
		}
	}
	if live := e.fake.Live(); len(live) != 0 {
		t.Errorf("live after RemoveKept: %v", live)
	}
}

// Kept machines that cannot be recorded would never be removed: they go
// at once and the test says why. A platform that cannot keep machines
// destroys them and says so.
func TestKeepFailedCannotKeep(t *testing.T) {
	e := newEnv(t, platformtest.Options{CanKeep: true})
	keepTests(e, t)
	_, err, progress := e.run(t, context.Background(), func(o *Options) {
		o.KeepFailed = true
		o.OnKept = func(context.Context, KeptTest) error { return errors.New("state directory is read-only") }
	})
	if err != nil {
		t.Fatal(err)
	}
	if live := e.fake.Live(); len(live) != 0 {
		t.Errorf("machines left after OnKept failed: %v", live)
	}
	if !strings.Contains(progress, "record the kept machines: state directory is read-only; removing them") {
		t.Errorf("progress:\n%s", progress)
	}

	e = newEnv(t, platformtest.Options{})
	keepTests(e, t)
	called := false
	_, err, progress = e.run(t, context.Background(), func(o *Options) {
		o.KeepFailed = true
		o.OnKept = func(context.Context, KeptTest) error { called = true; return nil }
	})
	if err != nil {
		t.Fatal(err)
	}
	if live := e.fake.Live(); len(live) != 0 || called {
		t.Errorf("a platform that cannot keep: live %v, OnKept called %v", live, called)
	}
	if !strings.Contains(progress, platform.ErrCannotKeep.Error()) {
		t.Errorf("progress does not say the machines could not be kept:\n%s", progress)
	}
}
