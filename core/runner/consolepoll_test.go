package runner

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

// On a platform that does not watch consoles (the clouds), the runner
// fetches them while the test runs: a guest that drops to an emergency
// shell ends its test at once, with the line, not at its timeout.
func TestConsolesPolledWhileTestsRun(t *testing.T) {
	defer func(d time.Duration) { consolePollInterval = d }(consolePollInterval)
	consolePollInterval = 20 * time.Millisecond
	var broken atomic.Bool
	e := newEnv(t, platformtest.Options{
		Console: func(m *platformtest.Machine) string {
			if broken.Load() && strings.HasPrefix(m.Cluster, "t.hangs") {
				return "[ 1.0] booting\n[ 9.9] You are in emergency mode. After logging in, type \"journalctl -xb\"\n"
			}
			return "[ 1.0] booting\n"
		},
	})
	e.add(t,
		register.Test{Name: "t.hangs", ClusterSize: 1, Timeout: time.Minute, Run: func(c cluster.TestCluster) {
			broken.Store(true)
			<-c.Context().Done() // a test waiting on a machine that will never answer
		}},
		register.Test{Name: "t.fine", ClusterSize: 1, Run: func(c cluster.TestCluster) { time.Sleep(100 * time.Millisecond) }},
	)
	start := time.Now()
	rep, err, _ := e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	if r := got["t.hangs"]; r.Status != Failed || !strings.Contains(r.Messages[0], "emergency-shell on console: [ 9.9] You are in emergency mode") ||
		!strings.Contains(r.Messages[0], "seen while the test ran") || r.TimedOut {
		t.Errorf("t.hangs: %+v", r)
	}
	if r := got["t.fine"]; r.Status != Passed {
		t.Errorf("t.fine: %+v", r)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("the run took %v: the test ended at its timeout", took)
	}
}
