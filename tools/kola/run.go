package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/strata-os/strata/core/runner"
)

type runCmd struct {
	Patterns  []string      `arg:"" optional:"" name:"pattern" help:"Glob patterns of test names to run (default: all that apply to the platform)."`
	Parallel  string        `short:"j" name:"parallel" default:"auto" placeholder:"N|auto" help:"Tests to run at once; auto picks from CPUs and free memory."`
	Tag       []string      `name:"tag" short:"t" placeholder:"TAG" help:"Run only tests with this tag; !TAG leaves tests with it out. Repeatable."`
	Timeout   time.Duration `default:"10m" help:"Timeout of each test that sets none of its own."`
	OutputDir string        `name:"output-dir" default:"_kola_temp" type:"path" help:"Directory for run results; each run gets <platform>-<time>/ and a <platform>-latest link."`
	Arch      string        `default:"${arch}" help:"Architecture of the machines."`
	Distro    string        `help:"Distribution of the image (flatcar, fcos, debian...), for tests limited to some."`
	OSVersion string        `name:"os-version" placeholder:"X.Y.Z" help:"OS version of the image, for tests with MinVersion/EndVersion."`
	Kolet     string        `type:"path" placeholder:"PATH" help:"kolet binary to copy to machines for tests with native functions (default: kolet next to kola)."`
	Verbose   bool          `short:"v" help:"Print every test's log, not only failing ones'."`
}

func (r *runCmd) Run(a *app, c *cli) error {
	provider, err := a.providers.Lookup(c.platform())
	if err != nil {
		return err
	}
	kolet := r.Kolet
	if kolet == "" {
		kolet = besideKola("kolet")
	}
	ctx, stop := a.interruptible()
	defer stop()
	rep, err := runner.Run(ctx, runner.Options{
		Criteria: runner.Criteria{
			Patterns: r.Patterns, Tags: r.Tag, Platform: provider.Name,
			Arch: r.Arch, Distro: r.Distro, OSVersion: r.OSVersion,
		},
		Provider:        provider,
		Registry:        a.tests,
		Parallel:        r.Parallel,
		Timeout:         r.Timeout,
		OutputRoot:      r.OutputDir,
		Kolet:           kolet,
		CommandLine:     append([]string{"kola"}, a.args...),
		ProviderOptions: provider.Flags,
		Verbose:         r.Verbose,
		Progress:        a.stdout,
		Logger:          a.log,
	})
	if rep != nil {
		fmt.Fprintf(a.stdout, "kola: %s; results in %s\n", rep.Summary(), rep.Dir)
		fmt.Fprintf(a.stdout, "kola: reports: %s\n", filepath.Join(rep.Dir, "{report.json,report.tap,junit.xml}"))
	}
	if err != nil {
		return err
	}
	if code := rep.ExitCode(); code != runner.ExitOK {
		return exitCodeError{code: code}
	}
	return nil
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
