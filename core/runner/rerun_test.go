package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

// --rerun: a test that fails once and then passes is flaky, which does
// not fail the run; one that keeps failing fails it after every rerun;
// each rerun has a fresh cluster and artifacts of its own.
func TestRerunFlakes(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	var flakyRuns, brokenRuns atomic.Int32
	clusters := map[string]bool{}
	e.add(t,
		register.Test{Name: "t.flaky", ClusterSize: 1, Run: func(c cluster.TestCluster) {
			clusters[c.Machines()[0].ID()] = true
			if flakyRuns.Add(1) == 1 {
				c.Fatal("first time unlucky")
			}
		}},
		register.Test{Name: "t.broken", ClusterSize: 1, Run: func(c cluster.TestCluster) {
			brokenRuns.Add(1)
			c.Fatal("always")
		}},
		register.Test{Name: "t.fine", ClusterSize: 1, Run: func(c cluster.TestCluster) {}},
	)
	rep, err, progress := e.run(t, context.Background(), func(o *Options) { o.Rerun = 2; o.Parallel = "1" })
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	if r := got["t.flaky"]; r.Status != Flaky || len(r.Reruns) != 1 || r.Reruns[0].Status != Passed || !strings.Contains(r.Messages[0], "first time unlucky") {
		t.Errorf("t.flaky: %+v", r)
	} else if r.Reruns[0].Artifacts != filepath.Join("rerun-1", "t.flaky") {
		t.Errorf("t.flaky's rerun artifacts at %q", r.Reruns[0].Artifacts)
	} else if _, err := os.Stat(filepath.Join(rep.Dir, r.Reruns[0].Artifacts)); err != nil {
		t.Errorf("rerun artifacts: %v", err)
	}
	if len(clusters) != 2 {
		t.Errorf("t.flaky ran on machines %v, want a fresh one for its rerun", clusters)
	}
	if r := got["t.broken"]; r.Status != Failed || len(r.Reruns) != 2 || brokenRuns.Load() != 3 {
		t.Errorf("t.broken: %s after %d reruns, %d runs", r.Status, len(r.Reruns), brokenRuns.Load())
	}
	if r := got["t.fine"]; r.Status != Passed || len(r.Reruns) != 0 {
		t.Errorf("t.fine: %+v", r)
	}
	if rep.Counts != (Counts{Passed: 1, Failed: 1, Flaky: 1}) || rep.ExitCode() != ExitFailed {
		t.Errorf("counts %+v exit %d", rep.Counts, rep.ExitCode())
	}
	if !strings.Contains(progress, "=== RERUN 1 of 2: 2 failed tests") || !strings.Contains(progress, "=== RERUN 2 of 2: 1 failed tests") {
		t.Errorf("progress:\n%s", progress)
	}
	junit, _ := rep.JUnit()
	if !strings.Contains(string(junit), `<property name="flaky" value="t.flaky">`) || !strings.Contains(string(junit), `status="flaky"`) {
		t.Errorf("JUnit:\n%s", junit)
	}
	if tap := string(rep.TAP()); !strings.Contains(tap, "ok 3 - t.flaky (flaky: failed, then passed on rerun 1)") {
		t.Errorf("TAP:\n%s", tap)
	}

	// Only flakes failed: the run passes.
	e2 := newEnv(t, platformtest.Options{})
	var n atomic.Int32
	e2.add(t, register.Test{Name: "t.flaky", ClusterSize: 1, Run: func(c cluster.TestCluster) {
		if n.Add(1) == 1 {
			c.Fatal("once")
		}
	}})
	rep, _, _ = e2.run(t, context.Background(), func(o *Options) { o.Rerun = 1 })
	if rep.ExitCode() != ExitOK || rep.Summary() != "0 passed, 0 failed, 0 skipped, 0 errors, 1 flaky" {
		t.Errorf("only a flake failed: exit %d, %q", rep.ExitCode(), rep.Summary())
	}
	// Without --rerun the same test fails the run.
	n.Store(0)
	rep, _, _ = e2.run(t, context.Background(), nil)
	if rep.ExitCode() != ExitFailed {
		t.Errorf("without reruns: exit %d", rep.ExitCode())
	}
}
