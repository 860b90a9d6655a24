package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	gojunit "github.com/joshdk/go-junit"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

type env struct {
	reg  *register.Registry
	fake *platformtest.Provider
	root string
}

func newEnv(t *testing.T, fo platformtest.Options) *env {
	return &env{reg: register.NewRegistry(), fake: platformtest.New(fo), root: t.TempDir()}
}

func (e *env) add(t *testing.T, tests ...register.Test) {
	t.Helper()
	for _, tt := range tests {
		if err := e.reg.Register(tt); err != nil {
			t.Fatal(err)
		}
	}
}

func (e *env) run(t *testing.T, ctx context.Context, mod func(*Options)) (*Report, error, string) {
	t.Helper()
	var progress bytes.Buffer
	opts := Options{
		Criteria:   Criteria{Platform: "fake"},
		Provider:   e.fake.Registration(),
		Registry:   e.reg,
		Parallel:   "4",
		OutputRoot: e.root,
		Grace:      200 * time.Millisecond,
		Progress:   &progress,
	}
	if mod != nil {
		mod(&opts)
	}
	rep, err := Run(ctx, opts)
	t.Logf("progress:\n%s", progress.String())
	// Kept machines are the test's to check.
	if live := e.fake.Live(); len(live) != 0 && !opts.KeepFailed {
		t.Errorf("machines left behind: %v", live)
	}
	return rep, err, progress.String()
}

func byName(rep *Report) map[string]*TestReport {
	m := map[string]*TestReport{}
	for _, t := range rep.Tests {
		m[t.Name] = t
	}
	return m
}

// A cluster's machines are made at once; when the second of three fails,
// the error names it, the others are cancelled or destroyed, and nothing
// is left.
func TestClusterMachinesAtOnce(t *testing.T) {
	e := newEnv(t, platformtest.Options{
		CreateLatency: 100 * time.Millisecond,
		FailCreate: func(cl string, i int) error {
			if cl == "t.broken" && i == 1 {
				return errors.New("quota exceeded")
			}
			return nil
		},
	})
	e.add(t,
		register.Test{Name: "t.three", ClusterSize: 3, Run: func(c cluster.TestCluster) {
			if n := len(c.Machines()); n != 3 {
				c.Errorf("%d machines", n)
			}
		}},
		register.Test{Name: "t.broken", ClusterSize: 3, Run: func(c cluster.TestCluster) { c.Error("must not run") }},
	)
	rep, err, _ := e.run(t, context.Background(), func(o *Options) { o.Parallel = "1" })
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	if got["t.three"].Status != Passed {
		t.Errorf("t.three: %+v", got["t.three"])
	}
	if b := got["t.broken"]; b.Status != Errored || !strings.Contains(strings.Join(b.Messages, ";"), "create machine 2 of cluster t.broken: quota exceeded") {
		t.Errorf("t.broken: %s %q", b.Status, b.Messages)
	}
	if live := e.fake.Live(); len(live) != 0 {
		t.Errorf("left: %v", live)
	}
	if n := e.fake.MaxConcurrentCreates(); n < 2 {
		t.Errorf("at most %d creates were under way at once: the machines were made one after another", n)
	}
}

// A test that needs disks the platform cannot attach is skipped there,
// saying why, and its Run never starts; the others run.
func TestAdditionalDisksSkipWherePlatformCannot(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	e.add(t,
		register.Test{Name: "t.disks", ClusterSize: 1, AdditionalDisks: []string{"1G"}, Run: func(c cluster.TestCluster) { c.Error("must not run") }},
		register.Test{Name: "t.plain", ClusterSize: 1, Run: func(cluster.TestCluster) {}},
	)
	rep, err, _ := e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	if d := got["t.disks"]; d.Status != Skipped || !strings.Contains(strings.Join(d.Messages, ";"), "cannot give machines additional disks") {
		t.Errorf("t.disks: %s %q", d.Status, d.Messages)
	}
	if p := got["t.plain"]; p.Status != Passed {
		t.Errorf("t.plain: %s %q", p.Status, p.Messages)
	}
}

func TestRunOutcomesAndArtifacts(t *testing.T) {
	e := newEnv(t, platformtest.Options{
		Journal: "-- boot --\n[ 1.0] systemd[1]: Started sshd.\n",
		FailCreate: func(cl string, i int) error {
			if cl == "t.infra" && i == 1 {
				return errors.New("quota exceeded")
			}
			return nil
		},
	})
	hang := make(chan struct{})
	defer close(hang)
	e.add(t,
		register.Test{Name: "t.pass", ClusterSize: 3, UserData: conf.CloudConfig("hostname: x\n"), Run: func(c cluster.TestCluster) {
			ms := c.Machines()
			if len(ms) != 3 {
				c.Fatalf("%d machines", len(ms))
			}
			for _, m := range ms {
				if got := string(c.MustSSH(m, "echo $((6*7))")); got != "42\n" {
					c.Errorf("got %q", got)
				}
			}
			c.Run("sub", func(c cluster.TestCluster) { c.Log("in subtest") })
		}},
		register.Test{Name: "t.fail", ClusterSize: 1, Run: func(c cluster.TestCluster) {
			c.MustSSH(c.Machines()[0], "echo broken >&2; exit 3")
		}},
		register.Test{Name: "t.panic", ClusterSize: 1, Run: func(c cluster.TestCluster) { panic("test bug") }},
		register.Test{Name: "t.skip", Run: func(c cluster.TestCluster) { c.Skip("not here") }},
		register.Test{Name: "t.hang", ClusterSize: 1, Timeout: 300 * time.Millisecond, Run: func(c cluster.TestCluster) { <-hang }},
		register.Test{Name: "t.infra", ClusterSize: 2, Run: func(c cluster.TestCluster) {}},
	)
	rep, err, _ := e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	want := map[string]Status{"t.pass": Passed, "t.fail": Failed, "t.panic": Failed, "t.skip": Skipped, "t.hang": Failed, "t.infra": Errored}
	for n, s := range want {
		if got[n] == nil || got[n].Status != s {
			t.Errorf("%s: %+v, want %s", n, got[n], s)
		}
	}
	if m := strings.Join(got["t.fail"].Messages, ";"); !strings.Contains(m, `"echo broken >&2; exit 3" exited with status 3: broken`) || !strings.Contains(m, "fake-m") {
		t.Errorf("t.fail message %q should name machine, command, status and stderr", m)
	}
	if !strings.Contains(got["t.panic"].Messages[0], "panic: test bug") {
		t.Errorf("t.panic %q", got["t.panic"].Messages)
	}
	if !got["t.hang"].TimedOut {
		t.Error("t.hang not marked timed out")
	}
	if !strings.Contains(strings.Join(got["t.infra"].Messages, ";"), "create 2 machines: create machine 2 of cluster t.infra: quota exceeded") {
		t.Errorf("t.infra %q", got["t.infra"].Messages)
	}
	if rep.Counts != (Counts{Passed: 1, Failed: 3, Skipped: 1, Errors: 1}) || rep.ExitCode() != ExitFailed {
		t.Errorf("counts %+v exit %d", rep.Counts, rep.ExitCode())
	}

	// The output tree.
	latest, err := os.Readlink(filepath.Join(e.root, "fake-latest"))
	if err != nil || filepath.Join(e.root, latest) != rep.Dir {
		t.Errorf("latest link %q %v, run dir %s", latest, err, rep.Dir)
	}
	for _, f := range []string{"properties.json", "report.json", "report.tap", "junit.xml", "metrics.prom"} {
		if _, err := os.Stat(filepath.Join(rep.Dir, f)); err != nil {
			t.Error(err)
		}
	}
	if got["t.pass"].ClusterReadySeconds <= 0 || got["t.skip"].ClusterReadySeconds != 0 {
		t.Errorf("cluster ready: t.pass %v, t.skip %v", got["t.pass"].ClusterReadySeconds, got["t.skip"].ClusterReadySeconds)
	}
	if m, _ := os.ReadFile(filepath.Join(rep.Dir, "metrics.prom")); !strings.Contains(string(m), `kola_cluster_ready_seconds{platform="fake",test="t.pass"}`) {
		t.Errorf("metrics.prom:\n%s", m)
	}
	var machines int
	for _, m := range e.fake.Created() {
		if m.Cluster != "t.pass" {
			continue
		}
		machines++
		dir := filepath.Join(rep.Dir, "t.pass", m.ID())
		for _, f := range []string{"console.txt", "journal.txt", "userdata"} {
			if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
				t.Errorf("%s/%s: %v", dir, f, err)
			}
		}
	}
	if machines != 3 {
		t.Errorf("%d machines in t.pass", machines)
	}
	if got["t.pass"].Artifacts != "t.pass" {
		t.Errorf("artifacts %q", got["t.pass"].Artifacts)
	}
	checkReportFiles(t, rep)
}

// checkReportFiles reads every report with a reader that is not ours.
func checkReportFiles(t *testing.T, rep *Report) {
	t.Helper()
	// report.json decodes strictly into the documented type.
	b, err := os.ReadFile(filepath.Join(rep.Dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var back Report
	if err := dec.Decode(&back); err != nil || back.Counts != rep.Counts || len(back.Tests) != len(rep.Tests) {
		t.Errorf("report.json: %v %+v", err, back.Counts)
	}
	var props Properties
	b, _ = os.ReadFile(filepath.Join(rep.Dir, "properties.json"))
	if err := json.Unmarshal(b, &props); err != nil || props.Platform != "fake" || props.Versions["go"] == "" {
		t.Errorf("properties.json: %v %+v", err, props)
	}

	// junit.xml through joshdk/go-junit.
	suites, err := gojunit.IngestFile(filepath.Join(rep.Dir, "junit.xml"))
	if err != nil || len(suites) != 1 {
		t.Fatalf("junit.xml: %v (%d suites)", err, len(suites))
	}
	statuses := map[string]gojunit.Status{}
	for _, tc := range suites[0].Tests {
		statuses[tc.Name] = tc.Status
	}
	for _, tr := range rep.Tests {
		want := map[Status]gojunit.Status{Passed: gojunit.StatusPassed, Failed: gojunit.StatusFailed, Skipped: gojunit.StatusSkipped, Errored: gojunit.StatusError}[tr.Status]
		if statuses[tr.Name] != want {
			t.Errorf("junit %s: %q, want %q", tr.Name, statuses[tr.Name], want)
		}
	}

	// report.tap through Perl's TAP::Parser, the reference implementation.
	if _, err := exec.LookPath("perl"); err != nil {
		t.Log("perl not found: TAP checked by count only")
		if n := strings.Count(string(rep.TAP()), "\nok ") + strings.Count(string(rep.TAP()), "\nnot ok "); n != len(rep.Tests) {
			t.Errorf("TAP has %d results", n)
		}
		return
	}
	script := `use TAP::Parser; my $p = TAP::Parser->new({source => $ARGV[0]}); while (my $r = $p->next) { print "YAML\n" if $r->is_yaml; }
printf "planned=%d passed=%d failed=%d skipped=%d errors=%d version=%d\n", scalar($p->tests_planned), scalar($p->passed), scalar($p->failed), scalar($p->skipped), scalar($p->parse_errors), $p->version;`
	out, err := exec.Command("perl", "-e", script, filepath.Join(rep.Dir, "report.tap")).CombinedOutput()
	if err != nil {
		t.Fatalf("perl: %v %s", err, out)
	}
	failing := rep.Counts.Failed + rep.Counts.Errors
	want := "planned=" + itoa(len(rep.Tests)) + " passed=" + itoa(len(rep.Tests)-failing) + " failed=" + itoa(failing) +
		" skipped=" + itoa(rep.Counts.Skipped) + " errors=0 version=13"
	if !strings.Contains(string(out), want) || strings.Count(string(out), "YAML") != failing {
		t.Errorf("TAP::Parser says %s; want %s and %d YAML blocks", out, want, failing)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestConsoleAndJournalChecks(t *testing.T) {
	e := newEnv(t, platformtest.Options{
		Console: func(m *platformtest.Machine) string {
			if strings.HasPrefix(m.Cluster, "panic") {
				return "[ 0.1] booting\n[ 2.3] Kernel panic - not syncing: Attempted to kill init!\n" +
					"[ 2.4] WARNING: CPU: 0 PID: 1 at kernel/exit.c:812 do_exit+0x1/0x2\n"
			}
			return "[ 0.1] booting\n"
		},
		Journal: "Nov 21 systemd[1]: Failed to start Frobnicate Service.\n",
	})
	ok := func(c cluster.TestCluster) {}
	e.add(t,
		register.Test{Name: "panic.checked", ClusterSize: 1, Run: ok, Flags: []register.Flag{register.NoFailedUnitCheck}},
		register.Test{Name: "panic.unchecked", ClusterSize: 1, Run: ok, Flags: []register.Flag{register.NoKernelPanicCheck, register.NoFailedUnitCheck}},
		register.Test{Name: "unit.checked", ClusterSize: 1, Run: ok},
	)
	rep, err, _ := e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	if r := got["panic.checked"]; r.Status != Failed || !strings.Contains(strings.Join(r.Messages, ";"), "kernel-panic on console (console.txt line 2): [ 2.3] Kernel panic - not syncing: Attempted to kill init!") {
		t.Errorf("panic.checked: %s %q", r.Status, r.Messages)
	}
	if r := got["panic.unchecked"]; r.Status != Passed {
		t.Errorf("panic.unchecked: %s %q", r.Status, r.Messages)
	}
	if r := got["unit.checked"]; r.Status != Failed || !strings.Contains(strings.Join(r.Messages, ";"), "failed-unit in journal (journal.txt line 1)") {
		t.Errorf("unit.checked: %s %q", r.Status, r.Messages)
	}
}

// Native functions: the runner copies kolet to each machine and RunNative
// runs it with the test and function names. A shell script stands in for
// kolet; the fake machine runs it with the host's sh.
func TestNativeFuncs(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	kolet := filepath.Join(t.TempDir(), "kolet")
	if err := os.WriteFile(kolet, []byte("#!/bin/sh\necho \"kolet $*\"\n[ \"$3\" = good ]\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	var outs []error
	e.add(t, register.Test{
		Name: "native", ClusterSize: 2,
		NativeFuncs: map[string]register.NativeFunc{"good": func() error { return nil }, "bad": func() error { return nil }},
		Run: func(c cluster.TestCluster) {
			for _, m := range c.Machines() {
				outs = append(outs, c.RunNative("good", m), c.RunNative("bad", m))
			}
		},
	})
	if _, err, _ := e.run(t, context.Background(), nil); err == nil || !strings.Contains(err.Error(), "--kolet") {
		t.Fatalf("without kolet: %v", err)
	}
	rep, err, _ := e.run(t, context.Background(), func(o *Options) { o.Kolet = kolet })
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 4 || outs[0] != nil || outs[1] == nil || !strings.Contains(outs[1].Error(), "native function bad on fake-m") {
		t.Errorf("RunNative results %v", outs)
	}
	if !strings.Contains(strings.Join(byName(rep)["native"].Output, "\n"), "kolet run native good") {
		t.Errorf("kolet stdout not logged: %q", byName(rep)["native"].Output)
	}
}

func TestRunUsageAndInfraErrors(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	e.add(t, register.Test{Name: "a.test", Run: func(cluster.TestCluster) {}})
	for _, tc := range []struct {
		mod  func(*Options)
		want string
	}{
		{func(o *Options) { o.Patterns = []string{"[bad"} }, `bad test pattern "[bad"`},
		{func(o *Options) { o.Patterns = []string{"nomatch.*"} }, `pattern "nomatch.*" matches no registered test`},
		{func(o *Options) { o.Parallel = "many" }, `bad -j/--parallel "many"`},
		{func(o *Options) { o.Tags = []string{"!"} }, `bad tag "!"`},
		{func(o *Options) { o.OSVersion = "x" }, `bad OS version "x"`},
	} {
		_, err, _ := e.run(t, context.Background(), tc.mod)
		var ue *platform.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err %v, want usage error %q", err, tc.want)
		}
	}
	bad := register.NewRegistry()
	_ = bad.Register(register.Test{Name: "bad.ud", Run: func(cluster.TestCluster) {}, UserData: conf.CloudConfig("write_files:\n  - content: x\n")})
	_, err, _ := e.run(t, context.Background(), func(o *Options) { o.Registry = bad })
	var ue *platform.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `test "bad.ud": UserData: cloud-config write_files[0].path (line 3): is required`) {
		t.Errorf("bad userdata: %v", err)
	}

	_, err, _ = e.run(t, context.Background(), func(o *Options) {
		o.Provider.NewFlight = func(context.Context, platform.FlightOptions) (platform.Flight, error) {
			return nil, errors.New("no credentials")
		}
	})
	var ie *platform.InfraError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "start fake flight: no credentials") {
		t.Errorf("flight failure: %v", err)
	}
}

// Cancelling the run (SIGINT in kola) in the middle of a 3-machine test
// destroys its machines, skips what had not started and still writes the
// reports.
func TestInterruptDestroysEverything(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	started := make(chan struct{})
	e.add(t,
		register.Test{Name: "a.long", ClusterSize: 3, Run: func(c cluster.TestCluster) {
			close(started)
			<-c.Context().Done()
			c.Fatal("interrupted")
		}},
		register.Test{Name: "b.later", ClusterSize: 1, Run: func(c cluster.TestCluster) {}},
	)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	rep, err, _ := e.run(t, ctx, func(o *Options) { o.Parallel = "1" })
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	if got["a.long"].Status != Failed || got["b.later"].Status != Skipped || !rep.Interrupted {
		t.Errorf("a.long %s, b.later %s, interrupted %v", got["a.long"].Status, got["b.later"].Status, rep.Interrupted)
	}
	if n := len(e.fake.Created()); n != 3 {
		t.Errorf("%d machines created", n)
	}
	if _, err := os.Stat(filepath.Join(rep.Dir, "junit.xml")); err != nil {
		t.Error(err)
	}
}

// planningFlight records the runner's PlanConcurrency calls and whether a
// cluster came before the first.
type planningFlight struct {
	platform.Flight
	planned        *[]int
	clusterEarlier *bool
}

func (p planningFlight) PlanConcurrency(atOnce int) { *p.planned = append(*p.planned, atOnce) }

func (p planningFlight) NewCluster(ctx context.Context, o platform.ClusterOptions) (platform.Cluster, error) {
	if len(*p.planned) == 0 {
		*p.clusterEarlier = true
	}
	return p.Flight.NewCluster(ctx, o)
}

// A flight that sizes its machines by how many boot at once hears it
// once, before its first cluster: -j times the largest cluster.
func TestFlightHearsParallelBeforeClusters(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	e.add(t, register.Test{Name: "a.one", Run: func(cluster.TestCluster) {}},
		register.Test{Name: "a.two", ClusterSize: 2, Run: func(cluster.TestCluster) {}})
	var planned []int
	var clusterEarlier bool
	rep, err, _ := e.run(t, context.Background(), func(o *Options) {
		o.Parallel = "3"
		newFlight := o.Provider.NewFlight
		o.Provider.NewFlight = func(ctx context.Context, fo platform.FlightOptions) (platform.Flight, error) {
			f, err := newFlight(ctx, fo)
			if err != nil {
				return nil, err
			}
			return planningFlight{Flight: f, planned: &planned, clusterEarlier: &clusterEarlier}, nil
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Tests) != 2 {
		t.Fatalf("%d tests ran, want 2", len(rep.Tests))
	}
	if len(planned) != 1 || planned[0] != 6 {
		t.Errorf("PlanConcurrency calls %v, want one with 6 (-j 3, clusters of up to 2)", planned)
	}
	if clusterEarlier {
		t.Error("a cluster was made before the flight heard -j")
	}
}
