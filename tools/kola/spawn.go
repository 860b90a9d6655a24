package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/runner"
)

type spawnCmd struct {
	Count     int    `short:"n" name:"count" default:"1" help:"Machines to boot."`
	UserData  string `name:"userdata" type:"path" placeholder:"FILE" help:"Userdata for every machine: Ignition, Butane, #cloud-config or a #! script."`
	Shell     bool   `help:"Open a shell on the first machine; the machines go when it exits."`
	OutputDir string `name:"output-dir" default:"_kola_temp" type:"path" help:"Where <platform>-spawn-<time>/ keeps the key, userdata and consoles."`
	Arch      string `default:"${arch}" help:"Architecture of the machines."`
}

// Run boots the machines, says how to reach them and keeps them until the
// shell exits or Ctrl-C; then destroys them, keeping their consoles.
func (s *spawnCmd) Run(a *app, c *cli) error {
	if s.Count < 1 {
		return usageError{fmt.Errorf("--count %d: want at least 1", s.Count)}
	}
	provider, err := a.providers.Lookup(c.platform())
	if err != nil {
		return err
	}
	ud := conf.Empty()
	if s.UserData != "" {
		data, err := os.ReadFile(s.UserData)
		if err != nil {
			return usageError{fmt.Errorf("--userdata: %w", err)}
		}
		if ud, err = conf.Detect(s.UserData, data); err != nil {
			return usageError{fmt.Errorf("--userdata: %w", err)}
		}
	}
	ctx, stop := a.interruptible()
	defer stop()
	now := time.Now()
	dir, err := runner.MakeOutputDir(s.OutputDir, provider.Name+"-spawn", now)
	if err != nil {
		return err
	}
	flight, err := provider.NewFlight(ctx, platform.FlightOptions{Name: "spawn-" + now.UTC().Format("20060102-150405"), OutputDir: dir, Arch: s.Arch, Logger: a.log})
	if err != nil {
		return fmt.Errorf("start %s flight: %w", provider.Name, err)
	}
	cluster, err := flight.NewCluster(ctx, platform.ClusterOptions{Name: "spawn", OutputDir: dir})
	if err != nil {
		flight.Destroy(context.WithoutCancel(ctx))
		return fmt.Errorf("create cluster: %w", err)
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
		defer cancel()
		for _, m := range cluster.Machines() {
			_ = os.WriteFile(filepath.Join(dir, m.ID(), "console.txt"), []byte(m.ConsoleOutput()), 0o644)
		}
		if err := flight.Destroy(dctx); err != nil {
			fmt.Fprintf(a.stderr, "kola: destroy machines: %v\n", err)
		}
		fmt.Fprintf(a.stdout, "kola: machines destroyed; consoles in %s\n", dir)
	}()

	for i := 0; i < s.Count; i++ {
		if _, err := cluster.NewMachine(ctx, ud); err != nil {
			if errors.Is(context.Cause(ctx), context.Canceled) || ctx.Err() != nil {
				return exitCodeError{code: runner.ExitInterrupt}
			}
			if platform.IsInfra(err) {
				return err
			}
			fmt.Fprintf(a.stderr, "kola: machine %d of %d: %v (console in %s)\n", i+1, s.Count, err, dir)
			return exitCodeError{code: runner.ExitFailed}
		}
	}
	fmt.Fprintf(a.stdout, "kola: %d %s machine(s) up:\n", s.Count, provider.Name)
	if _, err := printMachines(a.stdout, dir, flight.SSHKey(), cluster.Machines()); err != nil {
		return err
	}
	if s.Shell {
		return a.shell(ctx, cluster.Machines()[0])
	}
	fmt.Fprintln(a.stdout, "kola: the machines stay up until Ctrl-C")
	<-ctx.Done()
	return nil
}
