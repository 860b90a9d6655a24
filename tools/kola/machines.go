package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/runner"
	"github.com/strata-os/strata/core/sshclient"
)

// sshCommand is how a person reaches m with ssh(1) and the key at keyPath.
func sshCommand(keyPath string, m platform.Machine) string {
	user, hostport := "core", net.JoinHostPort(m.IP(), "22")
	if t, ok := m.(platform.SSHTargeter); ok {
		user, hostport = t.SSHTarget()
	}
	return sshCommandLine(keyPath, user, hostport)
}

// sshCommandLine is ssh(1)'s command line to user@hostport with a key.
func sshCommandLine(keyPath, user, hostport string) string {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "22"
	}
	return fmt.Sprintf("ssh -i %s -p %s -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null %s@%s", keyPath, port, user, host)
}

// printMachines lists machines with how to reach them, after writing the
// flight's private key (0600) into dir.
func printMachines(w io.Writer, dir string, key *sshclient.KeyPair, ms []platform.Machine) (string, error) {
	keyPath, err := filepath.Abs(filepath.Join(dir, "id_ed25519"))
	if err != nil {
		return "", err
	}
	if err := key.WritePrivateKey(keyPath); err != nil {
		return "", err
	}
	for _, m := range ms {
		fmt.Fprintf(w, "  %s  ip %s  private %s\n    %s\n", m.ID(), m.IP(), m.PrivateIP(), sshCommand(keyPath, m))
	}
	return keyPath, nil
}

// shell opens an interactive shell on m with kola's own terminal.
func (a *app) shell(ctx context.Context, m platform.Machine) error {
	c, err := m.SSHClient(ctx)
	if err != nil {
		return fmt.Errorf("shell on %s: %w", m.ID(), err)
	}
	return sshclient.Shell(ctx, c, a.stdin, a.stdout, a.stderr)
}

// booted is a flight with one cluster booted for a person or a command.
type booted struct {
	a       *app
	dir     string
	flight  platform.Flight
	cluster platform.Cluster
}

// boot starts a flight on provider and n machines with ud, keeping the key,
// userdata and consoles in <outputRoot>/<platform>-<what>-<time>/. The
// returned booted (also on error, once the flight exists) must be
// destroyed.
func (a *app) boot(ctx context.Context, provider platform.Provider, what, outputRoot, arch, sshProxy string, n int, ud *conf.UserData) (*booted, error) {
	now := time.Now()
	dir, err := runner.MakeOutputDir(outputRoot, provider.Name+"-"+what, now)
	if err != nil {
		return nil, err
	}
	flight, err := provider.NewFlight(ctx, platform.FlightOptions{Name: what + "-" + now.UTC().Format("20060102-150405"), OutputDir: dir, Arch: arch, Logger: a.log, SSHProxy: sshProxy})
	if err != nil {
		if ctx.Err() != nil && !platform.IsUsage(err) {
			return nil, fmt.Errorf("%w: start %s flight: %w", runner.ErrInterrupted, provider.Name, err)
		}
		return nil, fmt.Errorf("start %s flight: %w", provider.Name, err)
	}
	b := &booted{a: a, dir: dir, flight: flight}
	b.cluster, err = flight.NewCluster(ctx, platform.ClusterOptions{Name: what, OutputDir: dir})
	if err != nil {
		return b, fmt.Errorf("create cluster: %w", err)
	}
	if _, err := platform.NewMachines(ctx, b.cluster, n, ud); err != nil {
		if ctx.Err() != nil {
			return b, exitCodeError{code: runner.ExitInterrupt}
		}
		if platform.IsInfra(err) {
			return b, err
		}
		fmt.Fprintf(a.stderr, "kola: %v (console in %s)\n", err, dir)
		return b, exitCodeError{code: runner.ExitFailed}
	}
	return b, nil
}

// destroy saves the consoles and destroys the machines, also after Ctrl-C.
func (b *booted) destroy(ctx context.Context) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Minute)
	defer cancel()
	if b.cluster != nil {
		for _, m := range b.cluster.Machines() {
			_ = os.WriteFile(filepath.Join(b.dir, m.ID(), "console.txt"), []byte(m.ConsoleOutput(dctx)), 0o644)
		}
	}
	if err := b.flight.Destroy(dctx); err != nil {
		fmt.Fprintf(b.a.stderr, "kola: destroy machines: %v\n", err)
	}
	fmt.Fprintf(b.a.stdout, "kola: machines destroyed; consoles in %s\n", b.dir)
}
