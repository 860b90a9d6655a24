package main

import (
	"fmt"
	"os"

	"github.com/strata-os/strata/core/consolecheck"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/runner"
)

// checkConsoleCmd runs the console checks kola runs after every test on
// logs saved elsewhere: a console a CI job kept, a journal from a machine
// kept for debugging, or a run's console.txt under a new check.
type checkConsoleCmd struct {
	Files   []string `arg:"" optional:"" name:"file" type:"existingfile" help:"Console logs or journals to check."`
	Disable []string `name:"disable" placeholder:"CHECK" help:"Turn a check off (kernel-panic, failed-unit, ...). Repeatable."`
}

func (c *checkConsoleCmd) Run(a *app) error {
	if len(c.Files) == 0 {
		return platform.Usagef("check-console: give the console logs or journals to check")
	}
	disabled := map[string]bool{}
	for _, name := range c.Disable {
		if _, ok := consolecheck.Lookup(name); !ok {
			var names []string
			for _, ch := range consolecheck.Checks {
				names = append(names, ch.Name)
			}
			return platform.Usagef("--disable %q: no such check (checks: %v)", name, names)
		}
		disabled[name] = true
	}
	found := 0
	for _, f := range c.Files {
		data, err := os.ReadFile(f)
		if err != nil {
			return platform.Usagef("%v", err)
		}
		for _, m := range consolecheck.Scan(string(data), disabled) {
			found++
			fmt.Fprintf(a.stdout, "%s:%d: %s\n", f, m.LineNo, m.Explain())
		}
	}
	if found > 0 {
		fmt.Fprintf(a.stdout, "kola: %d problems in %d files\n", found, len(c.Files))
		return exitCodeError{code: runner.ExitFailed}
	}
	fmt.Fprintf(a.stdout, "kola: no problems in %d files\n", len(c.Files))
	return nil
}
