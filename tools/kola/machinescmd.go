package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/sshclient"
)

type machinesCmd struct{}

// Run lists the kept and spawned machines with how each is reached and
// whether it answers.
func (machinesCmd) Run(a *app, c *cli) error {
	store := machineStore{dir: c.StateDir}
	recs, err := store.list()
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		fmt.Fprintln(a.stdout, "kola: no kept or spawned machines")
		return nil
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tPLATFORM\tAGE\tSSH\tSTATE\tTEST")
	now := time.Now()
	for _, r := range recs {
		state := "kept"
		if r.Owner > 0 {
			state = fmt.Sprintf("spawned (kola pid %d)", r.Owner)
		}
		if !answers(r.Machine, 2*time.Second) {
			state += ", not answering"
		}
		test := r.Test
		if test == "" {
			test = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s@%s\t%s\t%s\n", r.Name, r.Machine.Platform, age(now, r.Since), r.Machine.User, r.Machine.Addr, state, test)
	}
	return w.Flush()
}

// answers says whether an SSH server answers at the machine's address,
// through its SSH proxy if it has one: its greeting, not only a
// connection, since QEMU's forward (and a cloud's load balancer or proxy)
// accepts connections for a guest that is hung or powered off.
func answers(m platform.KeptMachine, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var dialer sshclient.ContextDialer = &net.Dialer{}
	if m.SSHProxy != "" {
		d, err := sshclient.ProxyDialer(m.SSHProxy)
		if err != nil {
			return false
		}
		dialer = d
	}
	conn, err := dialer.DialContext(ctx, "tcp", m.Addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetReadDeadline(deadline)
	}
	// RFC 4253 4.2: the server may send other lines before its
	// identification, which starts "SSH-".
	r := bufio.NewReaderSize(conn, 256)
	for range 8 {
		line, err := r.ReadString('\n')
		if strings.HasPrefix(line, "SSH-") {
			return true
		}
		if err != nil {
			return false
		}
	}
	return false
}

type sshCmd struct {
	Name    string        `arg:"" optional:"" help:"Machine name (kola machines lists them), or a prefix of exactly one."`
	Command []string      `arg:"" optional:"" passthrough:"" help:"Command to run instead of a shell (its own flags need no --)."`
	Timeout time.Duration `default:"1m" help:"How long to try to connect."`
}

// Run opens a shell on, or runs a command on, a kept or spawned machine,
// with the key kola recorded for it; a command's exit status is kola's.
func (s *sshCmd) Run(a *app, c *cli) error {
	store := machineStore{dir: c.StateDir}
	rec, err := store.find(s.Name) // "" is an error listing the machines
	if err != nil {
		return err
	}
	key, err := sshclient.ReadPrivateKey(rec.Key)
	if err != nil {
		return fmt.Errorf("machine %s: %w", rec.Name, err)
	}
	ctx, stop := a.interruptible()
	defer stop()
	dctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	opts := sshclient.DialOptions{User: rec.Machine.User, Signer: key.Signer, RetryInterval: 500 * time.Millisecond}
	if rec.Machine.SSHProxy != "" {
		if opts.Dialer, err = sshclient.ProxyDialer(rec.Machine.SSHProxy); err != nil {
			return fmt.Errorf("machine %s: %w", rec.Name, err)
		}
	}
	client, err := sshclient.Dial(dctx, rec.Machine.Addr, opts)
	if err != nil {
		return fmt.Errorf("machine %s: %w (is it still up? kola machines says)", rec.Name, err)
	}
	defer client.Close()
	// The command's own flags pass through; a -- before it is kola's
	// habit, not part of the command.
	if len(s.Command) > 0 && s.Command[0] == "--" {
		s.Command = s.Command[1:]
	}
	if len(s.Command) == 0 {
		return sshclient.Shell(ctx, client, a.stdin, a.stdout, a.stderr)
	}
	err = sshclient.Run(ctx, client, strings.Join(s.Command, " "), a.stdin, a.stdout, a.stderr)
	var exit *sshclient.ExitError
	if errors.As(err, &exit) {
		return exitCodeError{code: exit.Status}
	}
	return err
}

type rmCmd struct {
	Names []string `arg:"" optional:"" help:"Machines to remove (kola machines lists them)."`
	All   bool     `help:"Remove every kept machine."`
}

// Run removes kept machines through their providers, and their records.
// Spawned machines are their kola spawn's to remove.
func (r *rmCmd) Run(a *app, c *cli) error {
	if r.All == (len(r.Names) > 0) {
		return platform.Usagef("name the machines to remove, or give --all")
	}
	store := machineStore{dir: c.StateDir}
	var recs []machineRecord
	if r.All {
		all, err := store.list()
		if err != nil {
			return err
		}
		for _, rec := range all {
			if rec.Owner == 0 {
				recs = append(recs, rec)
			}
		}
		if len(recs) == 0 {
			fmt.Fprintln(a.stdout, "kola: no kept machines")
			return nil
		}
	}
	for _, n := range r.Names {
		rec, err := store.find(n)
		if err != nil {
			return err
		}
		if rec.Owner > 0 {
			return platform.Usagef("machine %s belongs to kola spawn (pid %d): end that (Ctrl-C) to remove it", rec.Name, rec.Owner)
		}
		recs = append(recs, rec)
	}
	ctx, stop := a.interruptible()
	defer stop()
	var errs []error
	for _, rec := range recs {
		if err := a.removeKept(ctx, store, rec); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// removeKept removes one kept machine and then its record; a machine its
// provider could not remove keeps its record, to try again.
func (a *app) removeKept(ctx context.Context, store machineStore, rec machineRecord) error {
	p, err := a.providers.Lookup(rec.Machine.Platform)
	if err != nil {
		return fmt.Errorf("remove %s: %w", rec.Name, err)
	}
	if p.RemoveKept == nil {
		return fmt.Errorf("remove %s: the %s provider cannot remove kept machines", rec.Name, p.Name)
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	running, err := p.RemoveKept(rctx, rec.Machine)
	if err != nil {
		return fmt.Errorf("remove %s: %w", rec.Name, err)
	}
	if err := store.remove(rec); err != nil {
		return fmt.Errorf("remove %s: %w", rec.Name, err)
	}
	if running {
		fmt.Fprintf(a.stdout, "kola: removed %s\n", rec.Name)
	} else {
		fmt.Fprintf(a.stdout, "kola: removed %s (it was no longer running)\n", rec.Name)
	}
	return nil
}
