package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
	"github.com/strata-os/strata/core/version"
	"github.com/strata-os/strata/tools/internal/kongexit"
)

// defaultPlatform is used when --platform is not given.
const defaultPlatform = "qemu"

// app is kola with its outside world, so tests can run it in-process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	providers      *platform.Registry
	tests          *register.Registry
	// exit ends the process on a second interrupt.
	exit func(int)
	// ctx, when set, replaces signal handling (tests).
	ctx  context.Context
	args []string
	log  *slog.Logger
	// terminated says a SIGTERM (not a SIGINT) stopped the run: its exit
	// status is then 143, not 130, as a shell reports the two.
	terminated atomic.Bool
}

type cli struct {
	Platform string   `short:"p" placeholder:"NAME" help:"Platform to run on: ${platforms} (default ${default_platform})."`
	LogLevel string   `name:"log-level" enum:"debug,info,warn,error" default:"info" help:"Log level (${enum})."`
	StateDir string   `name:"state-dir" type:"path" env:"STRATA_STATE_DIR" default:"${state_dir}" placeholder:"DIR" help:"Where kola records the machines kola ssh reaches: those --keep-failed kept, and kola spawn's while it runs."`
	ExtTest  []string `short:"E" name:"exttest" type:"existingdir" placeholder:"DIR" help:"Also register the external tests of DIR/tests/kola (coreos-assembler's layout: executables with kola.json and ## kola: headers), as ext.<DIR's name>.*. Repeatable."`

	Run          runCmd          `cmd:"" help:"Run tests on a platform."`
	Spawn        spawnCmd        `cmd:"" help:"Boot machines to use by hand; they stay until Ctrl-C."`
	SSH          sshCmd          `cmd:"" name:"ssh" help:"Open a shell on (or run a command on) a kept or spawned machine, by name."`
	Machines     machinesCmd     `cmd:"" help:"List the machines kept by --keep-failed and those kola spawn runs."`
	Rm           rmCmd           `cmd:"" help:"Remove machines kept by --keep-failed."`
	Bootchart    bootchartCmd    `cmd:"" help:"Boot one machine and save systemd-analyze's plot of its boot as SVG."`
	List         listCmd         `cmd:"" help:"List the registered tests."`
	CheckConsole checkConsoleCmd `cmd:"" name:"check-console" help:"Run the console checks (panics, oopses, emergency shells, failed units, ...) on saved consoles and journals."`
	Version      versionCmd      `cmd:"" help:"Print the version and the linked providers."`
}

func (a *app) main(args []string) (code int) {
	a.args = args
	defer kongexit.Recover(&code)
	var c cli
	parser, err := a.parser(&c)
	if err != nil {
		fmt.Fprintln(a.stderr, "kola: internal error:", err)
		return runner.ExitInfra
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintf(a.stderr, "kola: %v\n", err)
		if pe := (*kong.ParseError)(nil); errors.As(err, &pe) {
			fmt.Fprintf(a.stderr, "Run 'kola %s --help' for usage.\n", commandPath(pe.Context))
		}
		return runner.ExitUsage
	}
	if err := checkPlatformFlags(kctx, c.platform()); err != nil {
		fmt.Fprintf(a.stderr, "kola: %v\n", err)
		return runner.ExitUsage
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}))
	if err := a.registerExternal(c.ExtTest); err != nil {
		return a.exitFor(err)
	}

	err = kctx.Run(a, &c)
	return a.signalled(a.exitFor(err))
}

// signalled is code, or 143 for a run that SIGTERM stopped (the runner
// says 130 for any interruption).
func (a *app) signalled(code int) int {
	if code == runner.ExitInterrupt && a.terminated.Load() {
		return runner.ExitTerminate
	}
	return code
}

// parser is kola's command line, with every linked provider's flags.
func (a *app) parser(c *cli) (*kong.Kong, error) {
	var names []string
	opts := []kong.Option{
		kong.Name("kola"),
		kong.Description("Run strata's tests of operating-system images on local VMs and clouds."),
		kong.Writers(a.stdout, a.stderr),
		kongexit.Option(),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
	}
	var groups []kong.Group
	for _, p := range a.providers.Providers() {
		names = append(names, p.Name)
		if p.Flags != nil {
			opts = append(opts, kong.Embed(p.Flags, fmt.Sprintf("group:%q", platformGroup(p.Name))))
			// The help says what each platform is under its flags (that
			// Equinix Metal's public service is gone, for one).
			groups = append(groups, kong.Group{Key: platformGroup(p.Name), Title: platformGroup(p.Name), Description: p.Description + "."})
		}
	}
	opts = append(opts, kong.ExplicitGroups(groups))
	platforms := strings.Join(names, ", ")
	if platforms == "" {
		platforms = "none linked"
	}
	opts = append(opts, kong.Vars{"platforms": platforms, "default_platform": defaultPlatform, "arch": runtime.GOARCH, "state_dir": defaultStateDir()})
	return kong.New(c, opts...)
}

func commandPath(ctx *kong.Context) string {
	if ctx == nil {
		return ""
	}
	return strings.TrimSpace(strings.TrimPrefix(ctx.Command(), "<"))
}

// exitFor prints err and maps it to kola's exit status.
func (a *app) exitFor(err error) int {
	if err == nil {
		return runner.ExitOK
	}
	var code exitCodeError
	if errors.As(err, &code) {
		return code.code
	}
	fmt.Fprintf(a.stderr, "kola: %v\n", err)
	switch {
	case platform.IsUsage(err):
		return runner.ExitUsage
	case errors.Is(err, runner.ErrInterrupted):
		return runner.ExitInterrupt
	}
	return runner.ExitInfra
}

// exitCodeError carries an exit status decided after the output was printed
// (a run whose tests failed).
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func (c *cli) platform() string {
	if c.Platform == "" {
		return defaultPlatform
	}
	return c.Platform
}

type versionCmd struct{}

func (versionCmd) Run(a *app) error {
	fmt.Fprintf(a.stdout, "kola %s (%s, %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	for _, p := range a.providers.Providers() {
		sdk := ""
		if p.SDK != "" {
			v := version.Module(p.SDK)
			if v == "" {
				v = "version not recorded"
			}
			sdk = fmt.Sprintf(" (%s %s)", p.SDK, v)
		}
		fmt.Fprintf(a.stdout, "  platform %-10s %s%s\n", p.Name, p.Description, sdk)
	}
	return nil
}
