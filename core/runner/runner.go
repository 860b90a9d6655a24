// Package runner runs a flight of kola tests: it selects tests from the
// register, runs them on one platform under the harness with a parallelism
// limit and per-test timeouts, creates and always destroys each test's
// cluster, checks consoles and journals for kernel panics and failed units,
// and writes the run's artifacts and reports (properties.json, report.json,
// report.tap, junit.xml) under _kola_temp/<platform>-<timestamp>/.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/strata-os/strata/core/bazel"
	"github.com/strata-os/strata/core/denylist"
	"github.com/strata-os/strata/core/harness"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/sshclient"
)

// Options configure a run.
type Options struct {
	Criteria
	Provider platform.Provider
	// SSHProxy is FlightOptions.SSHProxy: a SOCKS5 proxy to cloud machines.
	SSHProxy string
	Registry *register.Registry // default register.Default
	// Parallel is -j as given: a number or "auto".
	Parallel string
	// Timeout is the default per-test timeout; tests may set their own.
	Timeout time.Duration
	// OutputRoot holds run directories; default "_kola_temp".
	OutputRoot string
	// Kolet is the agent binary copied to machines of tests with native
	// functions.
	Kolet string
	// CommandLine and ProviderOptions go into properties.json.
	CommandLine     []string
	ProviderOptions any
	// Grace and CleanupTimeout tune the harness (see harness.Options).
	Grace          time.Duration
	CleanupTimeout time.Duration
	// Verbose prints every test's log, not only failures'.
	Verbose bool
	// OnFailure, if set, is called when a test failed, before its machines
	// are destroyed (kola --ssh-on-failure opens a shell there). Calls are
	// made one at a time.
	OnFailure func(ctx context.Context, f FailedTest)
	// KeepFailed leaves the running machines of failed tests up after
	// the run (platform.Keeper) and hands each test's to OnKept, which
	// must record them: nothing else will remove them. On a platform
	// that cannot keep machines they are destroyed and the test's log
	// says so.
	KeepFailed bool
	OnKept     func(ctx context.Context, k KeptTest) error
	// Bazel is the Bazel test protocol when the run is a Bazel test
	// target (see core/bazel): its filter and shard narrow the selection,
	// and the JUnit report is also written to its XML_OUTPUT_FILE.
	Bazel bazel.TestEnv
	// Shard, if set, keeps one part of the tests (--sharding hash:M/N).
	Shard Shard
	// Multiply runs each test that many times, as copies named
	// NAME.multiply-K (--multiply), to find flakes.
	Multiply int
	// Rerun is how many times tests that failed are run again, each time
	// in a fresh cluster; one that then passes is flaky, which does not
	// fail the run.
	Rerun int
	// Denylist skips the tests it denies (with their trackers in the
	// report), turns the failures of those it warns of into warnings, and
	// may turn the console checks that are warnings off.
	Denylist denylist.Decisions
	// StatusLine keeps a line at the bottom of Progress saying how the run
	// goes (done/total, the running tests, elapsed); for terminals only,
	// StatusWidth columns wide.
	StatusLine  bool
	StatusWidth int
	// Progress receives go-test-like lines; default os.Stdout.
	Progress io.Writer
	Logger   *slog.Logger
	now      func() time.Time
}

// Run runs the selected tests and writes the reports. The error is a
// *platform.UsageError or *platform.InfraError when the run could not start; test failures
// are in the Report (see ExitCode).
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Registry == nil {
		opts.Registry = register.Default
	}
	if opts.OutputRoot == "" {
		opts.OutputRoot = "_kola_temp"
	}
	if opts.Arch == "" {
		opts.Arch = runtime.GOARCH
	}
	if opts.Platform == "" {
		opts.Platform = opts.Provider.Name
	}
	if opts.Progress == nil {
		opts.Progress = os.Stdout
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.now == nil {
		opts.now = time.Now
	}
	if opts.Provider.NewFlight == nil {
		return nil, platform.Usagef("no provider for platform %q", opts.Platform)
	}
	if err := opts.Registry.Err(); err != nil {
		return nil, platform.Usage(fmt.Errorf("invalid test definitions:\n%w", err))
	}
	tests, excluded, err := Select(opts.Registry.Tests(), opts.Criteria)
	if err != nil {
		return nil, err
	}
	if tests, err = bazelFilter(tests, opts.Bazel); err != nil {
		return nil, err
	}
	for _, e := range excluded {
		opts.Logger.Debug("test does not apply", "test", e.Test, "reason", e.Reason)
	}
	if err := checkKolet(tests, opts.Kolet); err != nil {
		return nil, err
	}
	// Checked now, decided once the flight says what a machine costs.
	if _, err := ParseParallel(opts.Parallel, 0, 1); err != nil {
		return nil, err
	}

	started := opts.now()
	dir, err := MakeOutputDir(opts.OutputRoot, opts.Platform, started)
	if err != nil {
		return nil, platform.Infra("", err)
	}
	flightName := fmt.Sprintf("kola-%s", started.UTC().Format("20060102-150405"))
	props := newProperties(opts, flightName, 0, started)
	if err := writeJSON(dir, "properties.json", props); err != nil {
		return nil, platform.Infra("", err)
	}
	opts.Logger.Info("starting flight", "platform", opts.Platform, "output", dir)

	flight, err := opts.Provider.NewFlight(ctx, platform.FlightOptions{Name: flightName, OutputDir: dir, Arch: opts.Arch, Logger: opts.Logger, SSHProxy: opts.SSHProxy, KeepFailed: opts.KeepFailed})
	if err != nil {
		err = fmt.Errorf("start %s flight: %w", opts.Platform, err)
		switch {
		case platform.IsUsage(err):
			return nil, err // a flag the provider refused
		case ctx.Err() != nil:
			return nil, fmt.Errorf("%w: %w", ErrInterrupted, err)
		}
		return nil, platform.Infra("", err)
	}
	abort := func(err error) (*Report, error) {
		flight.Destroy(context.WithoutCancel(ctx))
		return nil, err
	}
	if opts.Distro == "" {
		if dr, ok := flight.(platform.DistroReporter); ok {
			opts.Distro = dr.Distro()
		}
	}
	// The distro is known only now; shards divide what applies to it, so
	// that each gets its share.
	tests = keepForDistro(tests, opts.Distro, opts.Logger)
	if opts.OSVersion == "" {
		if vr, ok := flight.(platform.OSVersionReporter); ok {
			if tests, err = keepForVersion(tests, vr.OSVersion(), opts.Logger); err != nil {
				return abort(err)
			}
			opts.OSVersion = vr.OSVersion()
		}
	}
	if tests, err = bazelShard(tests, opts.Bazel); err != nil {
		return abort(err)
	}
	tests = multiply(shardTests(tests, opts.Shard), opts.Multiply)
	// Denied shared tests are skipped on their own: they need no machine.
	var denied, rest []*register.Test
	for _, t := range tests {
		if _, ok := opts.Denylist.Denied(registeredName(t.Name)); ok && t.Shared {
			c := *t
			c.Shared = false
			denied = append(denied, &c)
			continue
		}
		rest = append(rest, t)
	}
	defaultTimeout := opts.Timeout
	if defaultTimeout <= 0 {
		defaultTimeout = harness.DefaultTimeout
	}
	tests = append(shareMachines(rest, defaultTimeout), denied...)
	maxSize := 1
	for _, t := range tests {
		maxSize = max(maxSize, t.ClusterSize)
	}
	machineMiB := 0
	if mr, ok := flight.(platform.MemoryReporter); ok {
		machineMiB = mr.MachineMemoryMiB()
	}
	parallel, err := ParseParallel(opts.Parallel, machineMiB, maxSize)
	if err != nil {
		return abort(err)
	}
	if cp, ok := flight.(platform.ConcurrencyPlanner); ok {
		cp.PlanConcurrency(parallel * maxSize)
	}
	props.Options.Distro, props.Options.Parallel = opts.Distro, parallel
	if err := writeJSON(dir, "properties.json", props); err != nil {
		return abort(platform.Infra("", err))
	}
	opts.Logger.Info("starting run", "platform", opts.Platform, "distro", opts.Distro, "tests", len(tests), "parallel", parallel, "machine_mib", machineMiB)
	r := &run{opts: opts, ctx: ctx, flight: flight, infra: map[string]bool{}, ready: map[string]time.Duration{}, spans: map[string][]MachineSpan{}}
	var htests []harness.Test
	byName := map[string]*register.Test{}
	for _, t := range tests {
		byName[t.Name] = t
		run := r.testFunc(t)
		if e, ok := opts.Denylist.Denied(registeredName(t.Name)); ok {
			run = func(h *harness.H) { h.Skipf("%s", e.Because()) }
		}
		htests = append(htests, harness.Test{Name: t.Name, Timeout: t.Timeout, Run: run})
	}
	hopts := harness.Options{
		Parallel:       parallel,
		Timeout:        opts.Timeout,
		Grace:          opts.Grace,
		CleanupTimeout: opts.CleanupTimeout,
		OutputDir:      dir,
		Verbose:        opts.Verbose,
		Output:         opts.Progress,
		Logger:         opts.Logger,
	}
	var status *statusLine
	if opts.StatusLine {
		status = newStatusLine(opts.Progress, opts.StatusWidth, len(htests), opts.now)
		status.tick(time.Second)
		hopts.Output = status
		hopts.OnStart = status.started
		hopts.OnFinish = func(res *harness.Result) { status.finished(res.Name) }
	}
	results := harness.NewSuite(hopts, htests).Run(ctx)
	infra, ready, spans := r.takeAttempt()
	attempts := []attempt{{dir: dir, results: results, infra: infra, ready: ready, spans: spans}}
	// Reruns: the tests that failed, each in a fresh cluster, results in
	// rerun-K/ of the run directory.
	for k := 1; k <= opts.Rerun && ctx.Err() == nil; k++ {
		var again []harness.Test
		for _, res := range attempts[len(attempts)-1].results {
			if res.Status == harness.Fail {
				t := byName[res.Name]
				again = append(again, harness.Test{Name: t.Name, Timeout: t.Timeout, Run: r.testFunc(t)})
			}
		}
		if len(again) == 0 {
			break
		}
		if status != nil {
			status.more(len(again))
		}
		fmt.Fprintf(hopts.Output, "=== RERUN %d of %d: %d failed tests\n", k, opts.Rerun, len(again))
		ro := hopts
		ro.OutputDir = filepath.Join(dir, fmt.Sprintf("rerun-%d", k))
		rres := harness.NewSuite(ro, again).Run(ctx)
		infra, ready, spans := r.takeAttempt()
		attempts = append(attempts, attempt{dir: ro.OutputDir, results: rres, infra: infra, ready: ready, spans: spans})
	}

	if status != nil {
		status.close()
	}
	// Every test destroyed its cluster; this catches clusters made outside
	// a test's lifecycle and is a no-op otherwise.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	var destroyErr error
	if err := flight.Destroy(dctx); err != nil {
		destroyErr = platform.Infra("", fmt.Errorf("destroy flight: %w", err))
	}

	created := map[string]time.Time{}
	for name, t := range byName {
		if !t.Created.IsZero() {
			created[registeredName(name)] = t.Created
		}
	}
	rep := newReport(opts.Platform, flightName, dir, started, opts.now().Sub(started), attempts, opts.Denylist, created)
	rep.Interrupted = ctx.Err() != nil
	if err := rep.write(opts.Bazel.XMLOutputFile); err != nil {
		return rep, platform.Infra("", errors.Join(err, destroyErr))
	}
	return rep, destroyErr
}

func checkKolet(tests []*register.Test, kolet string) error {
	var need []string
	for _, t := range tests {
		if len(t.NativeFuncs) > 0 {
			need = append(need, t.Name)
		}
	}
	if len(need) == 0 {
		return nil
	}
	if kolet == "" {
		return platform.Usagef("tests %v run native functions: give the kolet binary with --kolet", need)
	}
	if fi, err := os.Stat(kolet); err != nil || fi.IsDir() {
		return platform.Usagef("kolet binary %q: not a file (%v)", kolet, err)
	}
	return nil
}

// FailedTest is what OnFailure gets: the failed test's cluster, still up,
// and the flight's key to reach its machines.
type FailedTest struct {
	Name      string
	Messages  []string
	Cluster   platform.Cluster
	Key       *sshclient.KeyPair
	OutputDir string
}

// KeptTest is what OnKept gets: the machines kept of a failed test and
// the key that reaches them.
type KeptTest struct {
	Test      string
	Machines  []platform.KeptMachine
	Key       *sshclient.KeyPair
	OutputDir string
}

// run is the state shared by the tests of one run.
type run struct {
	opts   Options
	ctx    context.Context // the run's: cancelled by SIGINT
	flight platform.Flight

	mu        sync.Mutex
	infra     map[string]bool
	ready     map[string]time.Duration // test → its machines' making, start to SSH
	spans     map[string][]MachineSpan // test → its machines' lives
	onFailure sync.Mutex               // one OnFailure at a time: they share the terminal
	hostPorts hostPorts
}

func (r *run) markInfra(test string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.infra[test] = true
}

// takeAttempt returns the tests marked infra and the clusters' ready
// times since the last call: each attempt (the run, a rerun) has its own.
func (r *run) takeAttempt() (map[string]bool, map[string]time.Duration, map[string][]MachineSpan) {
	r.mu.Lock()
	defer r.mu.Unlock()
	infra, ready, spans := r.infra, r.ready, r.spans
	r.infra, r.ready, r.spans = map[string]bool{}, map[string]time.Duration{}, map[string][]MachineSpan{}
	return infra, ready, spans
}

// machineSpans records a test's machines' spans.
func (r *run) machineSpans(test string, spans []MachineSpan) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.spans[test] = spans
}

// clusterReady records how long a test's machines took to be ready.
func (r *run) clusterReady(test string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ready[test] = d
}
