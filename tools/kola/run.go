package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/strata-os/strata/core/bazel"
	"github.com/strata-os/strata/core/denylist"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/runner"
)

type runCmd struct {
	Patterns       []string      `arg:"" optional:"" name:"pattern" help:"Glob patterns of test names to run (default: all that apply to the platform)."`
	Parallel       string        `short:"j" name:"parallel" default:"auto" placeholder:"N|auto" help:"Tests to run at once; auto picks from CPUs and free memory."`
	Tag            []string      `name:"tag" short:"t" placeholder:"TAG" help:"Run only tests with this tag; !TAG leaves tests with it out. Repeatable."`
	Timeout        time.Duration `default:"10m" help:"Timeout of each test that sets none of its own."`
	OutputDir      string        `name:"output-dir" default:"_kola_temp" type:"path" help:"Directory for run results; each run gets <platform>-<time>/ and a <platform>-latest link."`
	Arch           string        `default:"${arch}" help:"Architecture of the machines."`
	SSHProxy       string        `name:"ssh-proxy" placeholder:"socks5://HOST:PORT" help:"Reach cloud machines over SSH through this SOCKS5 proxy (a bastion's ssh -D, a CI network's egress proxy, or a simulator's: ore CLOUD simulate --boot prints it)."`
	Distro         string        `help:"Distribution of the image (flatcar, fcos, debian...), for tests limited to some."`
	OSVersion      string        `name:"os-version" placeholder:"X.Y.Z" help:"OS version of the image, for tests with MinVersion/EndVersion."`
	Kolet          string        `type:"path" placeholder:"PATH" help:"kolet binary to copy to machines for tests with native functions (default: kolet next to kola)."`
	Verbose        bool          `short:"v" help:"Print every test's log, not only failing ones'."`
	Multiply       int           `name:"multiply" default:"1" placeholder:"N" help:"Run each selected test N times (as NAME.multiply-K, each in its own cluster), to find flakes."`
	Sharding       string        `name:"sharding" placeholder:"hash:M/N" help:"Run only part M of N of the selected tests, by a hash of each name (stable as tests come and go), to spread a run over CI machines."`
	Rerun          bool          `name:"rerun" help:"Run failed tests again, each in a fresh cluster (--rerun-count times at most); a test that then passes is reported flaky and does not fail the run."`
	RerunCount     int           `name:"rerun-count" default:"1" placeholder:"N" help:"How many times --rerun runs a failed test again."`
	Denylist       []string      `name:"denylist" type:"existingfile" placeholder:"FILE" help:"A kola-denylist.yaml (coreos-assembler's format): the tests it denies are skipped with their tracker, those it warns of run but their failures do not fail the run. Repeatable."`
	DenylistStream string        `name:"denylist-stream" placeholder:"STREAM" help:"The image's stream, for denylist entries limited to streams (without it, they do not apply)."`
	DenylistTest   []string      `name:"denylist-test" placeholder:"PATTERN" help:"Skip the tests PATTERN matches, as a denylist entry would. Repeatable."`
	NoStatus       bool          `name:"no-status" help:"No status line at the bottom of a terminal (done/total, running tests, elapsed); off by itself when stdout is not a terminal."`
	KeepFailed     bool          `name:"keep-failed" help:"Leave the machines of failed tests running after the run, for a person to look at: kola prints how to reach each (kola ssh NAME) and how to remove them (kola rm)."`
	// SSHOnFailure is for a person at a terminal: the run waits for them.
	SSHOnFailure bool `name:"ssh-on-failure" help:"When a test fails, open a shell on its first machine before it is destroyed (exit the shell to go on)."`
}

func (r *runCmd) Run(a *app, c *cli) error {
	if r.Timeout <= 0 {
		return platform.Usagef("--timeout %v: must be positive", r.Timeout)
	}
	provider, err := a.providers.Lookup(c.platform())
	if err != nil {
		return err
	}
	kolet := r.Kolet
	if kolet == "" {
		kolet = besideKola("kolet")
	}
	// As a Bazel test target (tools/kola/defs.bzl): results go where Bazel
	// keeps them, temporary files under the test's own directory.
	bz, err := bazel.FromEnv(os.Getenv)
	if err != nil {
		return platform.Usage(err)
	}
	outputDir := r.OutputDir
	if bz.UndeclaredOutputsDir != "" && outputDir == defaultOutputDir() {
		outputDir = bz.UndeclaredOutputsDir
	}
	if bz.TmpDir != "" {
		os.Setenv("TMPDIR", bz.TmpDir)
	}
	statusLine, width := terminal(a.stdout)
	shard, err := runner.ParseSharding(r.Sharding)
	if err != nil {
		return err
	}
	if r.Multiply < 1 {
		return platform.Usagef("--multiply %d: must be 1 or more", r.Multiply)
	}
	reruns := 0
	if r.Rerun {
		if r.RerunCount < 1 {
			return platform.Usagef("--rerun-count %d: must be 1 or more", r.RerunCount)
		}
		reruns = r.RerunCount
	}
	deny, err := r.denylist(a.log, provider.Name, time.Now())
	if err != nil {
		return err
	}
	var kept *keptMachines
	if r.KeepFailed {
		if bz.TmpDir != "" {
			return platform.Usagef("--keep-failed: a Bazel test cannot leave machines behind")
		}
		kept = &keptMachines{store: machineStore{dir: c.StateDir}, flight: provider.Name + "-" + time.Now().UTC().Format("20060102-150405")}
	}
	ctx, stop := a.interruptible()
	defer stop()
	rep, err := runner.Run(ctx, runner.Options{
		Criteria: runner.Criteria{
			Patterns: r.Patterns, Tags: r.Tag, Platform: provider.Name,
			Arch: r.Arch, Distro: r.Distro, OSVersion: r.OSVersion,
		},
		Provider:        provider,
		SSHProxy:        r.SSHProxy,
		Registry:        a.tests,
		Parallel:        r.Parallel,
		Timeout:         r.Timeout,
		OutputRoot:      outputDir,
		Bazel:           bz,
		Kolet:           kolet,
		CommandLine:     append([]string{"kola"}, a.args...),
		ProviderOptions: provider.Flags,
		Verbose:         r.Verbose,
		OnFailure:       r.manhole(a),
		Progress:        a.stdout,
		Logger:          a.log,
		Denylist:        deny,
		Rerun:           reruns,
		Shard:           shard,
		Multiply:        r.Multiply,
		StatusLine:      statusLine && !r.NoStatus,
		StatusWidth:     width,
		KeepFailed:      r.KeepFailed,
		OnKept:          kept.onKept(),
	})
	if rep != nil {
		fmt.Fprintf(a.stdout, "kola: %s; results in %s\n", rep.Summary(), rep.Dir)
		fmt.Fprintf(a.stdout, "kola: reports: %s\n", filepath.Join(rep.Dir, "{report.json,report.tap,junit.xml}"))
	}
	if kept != nil {
		kept.report(a.stdout)
	}
	if err != nil {
		return err
	}
	if code := rep.ExitCode(); code != runner.ExitOK {
		return exitCodeError{code: code}
	}
	return nil
}

// defaultOutputDir is --output-dir's default as kong resolves it.
func defaultOutputDir() string {
	abs, _ := filepath.Abs("_kola_temp")
	return abs
}

// besideKola returns name in kola's own directory if it exists there (the
// layout ./ci/run.sh builds: bin/kola, bin/kolet), else "".
func besideKola(name string) string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	p := filepath.Join(filepath.Dir(exe), name)
	if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
		return p
	}
	return ""
}

// manhole returns the runner's failure hook for --ssh-on-failure.
func (r *runCmd) manhole(a *app) func(context.Context, runner.FailedTest) {
	if !r.SSHOnFailure {
		return nil
	}
	return func(ctx context.Context, f runner.FailedTest) {
		fmt.Fprintf(a.stdout, "kola: %s failed: %s\n", f.Name, strings.Join(f.Messages, "; "))
		if _, err := printMachines(a.stdout, f.OutputDir, f.Key, f.Cluster.Machines()); err != nil {
			fmt.Fprintf(a.stderr, "kola: %v\n", err)
			return
		}
		m := f.Cluster.Machines()[0]
		fmt.Fprintf(a.stdout, "kola: shell on %s; exit it to destroy the machines and go on\n", m.ID())
		if err := a.shell(ctx, m); err != nil {
			fmt.Fprintf(a.stderr, "kola: %v\n", err)
		}
	}
}

// denylist reads the --denylist files and --denylist-test patterns and
// decides which entries apply to this run. The entries that change what
// runs are logged, as upstream prints them.
func (r *runCmd) denylist(log *slog.Logger, platformName string, today time.Time) (denylist.Decisions, error) {
	var entries []denylist.Entry
	for _, f := range r.Denylist {
		data, err := os.ReadFile(f)
		if err != nil {
			return denylist.Decisions{}, platform.Usagef("--denylist: %v", err)
		}
		es, err := denylist.Parse(f, data)
		if err != nil {
			return denylist.Decisions{}, platform.Usagef("--denylist: %v", err)
		}
		entries = append(entries, es...)
	}
	for _, p := range r.DenylistTest {
		es, err := denylist.Parse("--denylist-test", []byte(fmt.Sprintf("- pattern: %q\n", p)))
		if err != nil {
			return denylist.Decisions{}, platform.Usagef("--denylist-test %q: %v", p, err)
		}
		es[0].Line = 0
		entries = append(entries, es...)
	}
	d := denylist.Decide(entries, denylist.Scope{Platform: platformName, Arch: r.Arch, Stream: r.DenylistStream, Today: today})
	if len(entries) > 0 && r.DenylistStream == "" {
		for _, e := range entries {
			if len(e.Streams) > 0 {
				log.Warn("denylist entries limited to streams do not apply: give the image's stream with --denylist-stream", "entry", e.Where())
				break
			}
		}
	}
	for _, e := range d.Deny {
		log.Info("denylist: skipping", "pattern", e.Pattern, "until", e.Snooze, "tracker", e.Tracker, "entry", e.Where())
	}
	for _, e := range d.Warn {
		log.Info("denylist: failures will only warn", "pattern", e.Pattern, "tracker", e.Tracker, "entry", e.Where())
	}
	for _, e := range d.Expired {
		log.Info("denylist: snooze expired, running", "pattern", e.Pattern, "snooze", e.Snooze, "tracker", e.Tracker, "entry", e.Where())
	}
	if d.SkipConsoleWarnings {
		log.Info("denylist: console checks that are warnings are off (skip-console-warnings)")
	}
	return d, nil
}

// terminal says whether w is a terminal a status line can be kept on,
// and its width. TERM=dumb (Emacs shells, some CI logs) is not.
func terminal(w io.Writer) (bool, int) {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" || !term.IsTerminal(int(f.Fd())) {
		return false, 0
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		width = 80
	}
	return true, width
}
