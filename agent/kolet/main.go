// Command kolet is the agent kola copies onto test machines. It runs the
// native Go functions that tests register (register.Test.NativeFuncs), so a
// test can check things from inside the machine without a shell script:
//
//	kolet run basic.native hostname
//
// It links the same test suites as kola, so both agree on what exists. It
// is built static (CGO_ENABLED=0) to run on any image.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/version"
	_ "github.com/strata-os/strata/testsuites/all"
)

type cli struct {
	Run     runCmd     `cmd:"" help:"Run a test's native function."`
	Version versionCmd `cmd:"" help:"Print the version."`
}

type runCmd struct {
	Test string `arg:"" help:"Registered test name."`
	Func string `arg:"" help:"Native function of that test."`
}

type versionCmd struct{}

type env struct {
	reg    *register.Registry
	stdout io.Writer
	stderr io.Writer
}

// errUsage marks errors in what was asked, as opposed to a failing function.
type errUsage struct{ error }

func (r *runCmd) Run(e *env) error {
	t, ok := e.reg.Get(r.Test)
	if !ok {
		return errUsage{fmt.Errorf("no test %q in this kolet (is kolet older than kola?)", r.Test)}
	}
	f, ok := t.NativeFuncs[r.Func]
	if !ok {
		var have []string
		for n := range t.NativeFuncs {
			have = append(have, n)
		}
		sort.Strings(have)
		return errUsage{fmt.Errorf("test %q has no native function %q (has: %s)", r.Test, r.Func, strings.Join(have, ", "))}
	}
	if err := f(); err != nil {
		return fmt.Errorf("%s %s: %w", r.Test, r.Func, err)
	}
	return nil
}

func (versionCmd) Run(e *env) error {
	fmt.Fprintln(e.stdout, "kolet", version.String())
	return nil
}

type exitCode int

// run is main without os.Exit: 0 success, 1 the function failed, 2 usage.
func run(args []string, reg *register.Registry, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			if c, ok := r.(exitCode); ok {
				code = int(c)
				return
			}
			panic(r)
		}
	}()
	var c cli
	parser, err := kong.New(&c, kong.Name("kolet"), kong.Writers(stdout, stderr),
		kong.Exit(func(n int) { panic(exitCode(n)) }),
		kong.Description("Agent that runs kola tests' native functions on a test machine."))
	if err != nil {
		fmt.Fprintln(stderr, "kolet:", err)
		return 2
	}
	ctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintln(stderr, "kolet:", err)
		return 2
	}
	if err := ctx.Run(&env{reg: reg, stdout: stdout, stderr: stderr}); err != nil {
		fmt.Fprintln(stderr, "kolet:", err)
		var ue errUsage
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

func main() {
	os.Exit(run(os.Args[1:], register.Default, os.Stdout, os.Stderr))
}
