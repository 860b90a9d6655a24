package runner

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/denylist"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

// A denylist skips what it denies, with the tracker in every report;
// turns a warned test's failure into a warning that does not fail the
// run; and skip-console-warnings turns the non-fatal checks off.
func TestDenylist(t *testing.T) {
	e := newEnv(t, platformtest.Options{
		Journal: "Nov 21 systemd[1]: Failed to start Frobnicate Service.\n",
	})
	var mu sync.Mutex
	ran := map[string]bool{}
	note := func(name string) func(cluster.TestCluster) {
		return func(c cluster.TestCluster) {
			mu.Lock()
			defer mu.Unlock()
			ran[name] = true
		}
	}
	e.add(t,
		register.Test{Name: "deny.me", ClusterSize: 1, Run: note("deny.me")},
		register.Test{Name: "snoozed.gone", ClusterSize: 1, Run: note("snoozed.gone")},
		register.Test{Name: "warn.fails", ClusterSize: 1, Run: func(c cluster.TestCluster) { c.Fatal("known bug") }},
		register.Test{Name: "journal.unit", ClusterSize: 1, Run: note("journal.unit")},
	)
	entries, err := denylist.Parse("kola-denylist.yaml", []byte(`
- pattern: deny.*
  tracker: https://tracker.example/1
- pattern: snoozed.gone
  tracker: https://tracker.example/2
  snooze: 2026-01-01
- pattern: warn.fails
  tracker: https://tracker.example/3
  warn: true
- pattern: skip-console-warnings
  platforms: [fake]
`))
	if err != nil {
		t.Fatal(err)
	}
	today, _ := time.Parse("2006-01-02", "2026-06-01")
	deny := denylist.Decide(entries, denylist.Scope{Platform: "fake", Arch: "amd64", Today: today})
	rep, err, _ := e.run(t, context.Background(), func(o *Options) { o.Denylist = deny })
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	if r := got["deny.me"]; r.Status != Skipped || r.Tracker != "https://tracker.example/1" || ran["deny.me"] ||
		!strings.Contains(r.Messages[0], `denylisted by "deny.*" (kola-denylist.yaml:2): https://tracker.example/1`) {
		t.Errorf("deny.me: %+v (ran %v)", r, ran["deny.me"])
	}
	if r := got["snoozed.gone"]; r.Status != Passed || !ran["snoozed.gone"] {
		t.Errorf("snoozed.gone, whose snooze expired: %+v", r)
	}
	if r := got["warn.fails"]; r.Status != Warned || r.Tracker != "https://tracker.example/3" || !strings.Contains(strings.Join(r.Messages, ";"), "known bug") {
		t.Errorf("warn.fails: %+v", r)
	}
	// The journal's failed unit is a warning check, turned off.
	if r := got["journal.unit"]; r.Status != Passed {
		t.Errorf("journal.unit: %+v", r)
	}
	if rep.Counts != (Counts{Passed: 2, Skipped: 1, Warned: 1}) || rep.ExitCode() != ExitOK {
		t.Errorf("counts %+v exit %d", rep.Counts, rep.ExitCode())
	}
	if s := rep.Summary(); s != "2 passed, 0 failed, 1 skipped, 0 errors, 1 warned" {
		t.Errorf("summary %q", s)
	}
	if tap := string(rep.TAP()); !strings.Contains(tap, "not ok 4 - warn.fails # TODO a warning, not a failure: denylisted by \"warn.fails\"") ||
		!strings.Contains(tap, "ok 1 - deny.me # SKIP denylisted") {
		t.Errorf("TAP:\n%s", tap)
	}
	junit, err := rep.JUnit()
	if err != nil || !strings.Contains(string(junit), `<skipped message="WARN: a warning, not a failure`) {
		t.Errorf("JUnit %v:\n%s", err, junit)
	}

	// Without the denylist, the same run fails.
	rep, _, _ = e.run(t, context.Background(), nil)
	if rep.ExitCode() != ExitFailed || byName(rep)["journal.unit"].Status != Failed {
		t.Errorf("without the denylist: counts %+v", rep.Counts)
	}
}

// A new test's failures warn for its first 30 days, then fail.
func TestNewTestsOnlyWarn(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	fail := func(c cluster.TestCluster) { c.Fatal("not there yet") }
	e.add(t,
		register.Test{Name: "t.new", ClusterSize: 1, Run: fail, Created: time.Now().Add(-5 * 24 * time.Hour)},
		register.Test{Name: "t.old", ClusterSize: 1, Run: fail, Created: time.Now().Add(-40 * 24 * time.Hour)},
	)
	rep, err, _ := e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	if r := got["t.new"]; r.Status != Warned || !strings.Contains(r.Messages[0], "a new test (created ") {
		t.Errorf("t.new: %+v", r)
	}
	if r := got["t.old"]; r.Status != Failed {
		t.Errorf("t.old: %+v", r)
	}
}
