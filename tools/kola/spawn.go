package main

import (
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
)

type spawnCmd struct {
	Count     int    `short:"n" name:"count" default:"1" help:"Machines to boot."`
	UserData  string `name:"userdata" type:"path" placeholder:"FILE" help:"Userdata for every machine: Ignition, Butane, #cloud-config or a #! script."`
	Shell     bool   `help:"Open a shell on the first machine; the machines go when it exits."`
	OutputDir string `name:"output-dir" default:"_kola_temp" type:"path" help:"Where <platform>-spawn-<time>/ keeps the key, userdata and consoles."`
	Arch      string `default:"${arch}" help:"Architecture of the machines."`
	SSHProxy  string `name:"ssh-proxy" placeholder:"socks5://HOST:PORT" help:"Reach cloud machines over SSH through this SOCKS5 proxy (a bastion's ssh -D, a CI network's egress proxy, or a simulator's: ore CLOUD simulate --boot prints it)."`
}

// Run boots the machines, says how to reach them and keeps them until the
// shell exits or Ctrl-C; then destroys them, keeping their consoles.
func (s *spawnCmd) Run(a *app, c *cli) error {
	if s.Count < 1 {
		return platform.Usage(fmt.Errorf("--count %d: want at least 1", s.Count))
	}
	provider, err := a.providers.Lookup(c.platform())
	if err != nil {
		return err
	}
	ud := conf.Empty()
	if s.UserData != "" {
		data, err := os.ReadFile(s.UserData)
		if err != nil {
			return platform.Usage(fmt.Errorf("--userdata: %w", err))
		}
		if ud, err = conf.Detect(s.UserData, data); err != nil {
			return platform.Usage(fmt.Errorf("--userdata: %w", err))
		}
	}
	ctx, stop := a.interruptible()
	defer stop()
	b, err := a.boot(ctx, provider, "spawn", s.OutputDir, s.Arch, s.SSHProxy, s.Count, ud)
	if b != nil {
		defer b.destroy(ctx)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "kola: %d %s machine(s) up:\n", s.Count, provider.Name)
	keyPath, err := printMachines(a.stdout, b.dir, b.flight.SSHKey(), b.cluster.Machines())
	if err != nil {
		return err
	}
	names, err := registerSpawned(machineStore{dir: c.StateDir}, provider.Name, keyPath, b.dir, b.cluster.Machines())
	defer func() {
		store := machineStore{dir: c.StateDir}
		for _, n := range names {
			_ = store.remove(machineRecord{Name: n, Key: keyPath})
		}
	}()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "kola: reach them from another terminal with kola ssh NAME (%s)\n", strings.Join(names, ", "))
	if s.Shell {
		return a.shell(ctx, b.cluster.Machines()[0])
	}
	fmt.Fprintln(a.stdout, "kola: the machines stay up until Ctrl-C")
	<-ctx.Done()
	return nil
}

// registerSpawned records spawn's machines for kola ssh and kola machines
// while it runs (owned by this process: gone with it), returning their
// names.
func registerSpawned(store machineStore, platformName, keyPath, runDir string, ms []platform.Machine) ([]string, error) {
	var names []string
	for _, m := range ms {
		user, addr := "core", net.JoinHostPort(m.IP(), "22")
		if t, ok := m.(platform.SSHTargeter); ok {
			user, addr = t.SSHTarget()
		}
		name, err := store.add(machineRecord{Run: runDir, Since: time.Now().UTC(), Key: keyPath, Owner: os.Getpid(),
			Machine: platform.KeptMachine{ID: m.ID(), Platform: platformName, User: user, Addr: addr}})
		if err != nil {
			return names, err
		}
		names = append(names, name)
	}
	return names, nil
}
