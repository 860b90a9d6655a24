package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/consolecheck"
	"github.com/strata-os/strata/core/harness"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
)

// journalTimeout bounds collecting one machine's journal after a test: a
// machine the test broke must not hold up the run.
const journalTimeout = 30 * time.Second

// testFunc is the harness function of one kola test: make the cluster, make
// its machines, run the test, and (as a cleanup, so also after a failure,
// panic, timeout or interrupt) save artifacts, check them and destroy.
func (r *run) testFunc(t *register.Test) func(*harness.H) {
	return func(h *harness.H) {
		h.Parallel()
		ctx := h.Context()
		if asked := t.Machine.Asked(); len(asked) > 0 {
			// As coreos-assembler: a test asking for what the platform
			// cannot give does not apply there.
			shaper, ok := r.flight.(platform.MachineShaper)
			if !ok {
				h.Skipf("%s: %v (the test asks for %s)", r.flight.Platform(), platform.ErrCannotShape, strings.Join(asked, ", "))
			}
			if err := shaper.CheckShape(t.Machine); err != nil {
				h.Skipf("%s: %v", r.flight.Platform(), err)
			}
		}
		if len(t.HostPorts) > 0 {
			release, err := r.hostPorts.acquire(ctx, t.HostPorts, func(port int) {
				h.Logf("waiting for host port %d: another test holds it", port)
			})
			if err != nil {
				h.Fatal(err)
			}
			// Registered first, so it runs last: after the cluster is gone.
			h.Cleanup(release)
		}
		c, err := r.flight.NewCluster(ctx, platform.ClusterOptions{
			Name:               t.Name,
			OutputDir:          h.OutputDir(),
			NoSSHKeyInUserData: t.HasFlag(register.NoSSHKeyInUserData),
			NoSSHKeyInMetadata: t.HasFlag(register.NoSSHKeyInMetadata),
			DisabledChecks:     r.disabledChecks(t),
			AdditionalDisks:    t.AdditionalDisks,
			Shape:              t.Machine,
		})
		if errors.Is(err, platform.ErrNoAdditionalDisks) {
			// As kola upstream: a test that needs disks the platform
			// cannot attach does not apply there.
			h.Skipf("%v", err)
		}
		if err != nil {
			r.markInfra(t.Name)
			h.Fatalf("create cluster: %v", err)
		}
		timed := &timedCluster{Cluster: c, now: r.opts.now}
		h.Cleanup(func() {
			r.finishCluster(h, t, c)
			r.machineSpans(t.Name, timed.end())
		})

		start := time.Now()
		ms, err := platform.NewMachines(ctx, timed, t.ClusterSize, t.UserData)
		if err == nil && len(ms) > 0 {
			r.clusterReady(t.Name, time.Since(start))
		}
		if err != nil {
			if platform.IsInfra(err) {
				r.markInfra(t.Name)
			}
			h.Fatal(err)
		}
		for _, m := range ms {
			h.Logf("machine %s up at %s (private %s)", m.ID(), m.IP(), m.PrivateIP())
		}
		if cw, ok := r.flight.(platform.ConsoleWatcher); !ok || !cw.WatchesConsoles() {
			h.Cleanup(pollConsoles(h, ms, r.disabledChecks(t)))
		}
		if len(t.NativeFuncs) > 0 {
			if err := r.installKolet(ctx, c); err != nil {
				r.markInfra(t.Name)
				h.Fatal(err)
			}
		}
		t.Run(cluster.TestCluster{H: h, Cluster: timed, TestName: t.Name})
	}
}

func (r *run) installKolet(ctx context.Context, c platform.Cluster) error {
	for _, m := range c.Machines() {
		f, err := os.Open(r.opts.Kolet)
		if err != nil {
			return fmt.Errorf("open kolet: %w", err)
		}
		err = m.CopyFile(ctx, f, cluster.KoletPath, 0o755)
		f.Close()
		if err != nil {
			return fmt.Errorf("copy kolet to %s: %w", m.ID(), err)
		}
	}
	return nil
}

// finishCluster saves each machine's console and journal, fails the test
// on what the checks find, and destroys the cluster whatever happens.
func (r *run) finishCluster(h *harness.H, t *register.Test, c platform.Cluster) {
	ctx, cancel := h.CleanupContext()
	defer cancel()
	defer func() {
		if h.Failed() && r.opts.KeepFailed && r.ctx.Err() == nil {
			r.keep(ctx, h, t, c)
		}
		if err := c.Destroy(ctx); err != nil {
			r.markInfra(t.Name)
			h.Errorf("destroy cluster: %v", err)
		}
	}()
	if h.Failed() && r.opts.OnFailure != nil && len(c.Machines()) > 0 {
		r.onFailure.Lock()
		r.opts.OnFailure(r.ctx, FailedTest{Name: t.Name, Messages: h.Messages(), Cluster: c, Key: r.flight.SSHKey(), OutputDir: h.OutputDir()})
		r.onFailure.Unlock()
	}
	disabled := r.disabledChecks(t)
	for _, m := range c.Machines() {
		dir := filepath.Join(h.OutputDir(), m.ID())
		if err := os.MkdirAll(dir, 0o755); err != nil {
			h.Errorf("artifacts of %s: %v", m.ID(), err)
			continue
		}
		console := m.ConsoleOutput(ctx)
		if err := os.WriteFile(filepath.Join(dir, "console.txt"), []byte(console), 0o644); err != nil {
			h.Errorf("save console of %s: %v", m.ID(), err)
		}
		for _, match := range consolecheck.Scan(console, disabled) {
			h.Errorf("%s: %s on console (console.txt line %d): %s", m.ID(), match.Check, match.LineNo, match.Line)
		}
		jctx, jcancel := context.WithTimeout(ctx, journalTimeout)
		journal, err := m.Journal(jctx)
		jcancel()
		switch {
		case errors.Is(err, platform.ErrNoJournal):
		case err != nil:
			// A machine the test crashed cannot answer; its console says why.
			h.Logf("could not collect journal of %s: %v", m.ID(), err)
		default:
			if err := os.WriteFile(filepath.Join(dir, "journal.txt"), journal, 0o644); err != nil {
				h.Errorf("save journal of %s: %v", m.ID(), err)
			}
			for _, match := range consolecheck.Scan(string(journal), disabled) {
				h.Errorf("%s: %s in journal (journal.txt line %d): %s", m.ID(), match.Check, match.LineNo, match.Line)
			}
		}
	}
}

// keep takes a failed test's running machines out of its cluster before it
// is destroyed and hands them to OnKept; what cannot be kept is said in
// the test's log and goes with the cluster.
func (r *run) keep(ctx context.Context, h *harness.H, t *register.Test, c platform.Cluster) {
	keeper, ok := c.(platform.Keeper)
	if !ok {
		h.Logf("--keep-failed: %s: %v; its machines are destroyed", r.flight.Platform(), platform.ErrCannotKeep)
		return
	}
	kept, err := keeper.Keep(ctx)
	if err != nil {
		h.Logf("--keep-failed: %v", err)
	}
	if len(kept) == 0 {
		if err == nil {
			h.Logf("--keep-failed: no machine of the test was still running to keep")
		}
		return
	}
	for i, k := range kept {
		kept[i].SSHProxy = r.opts.SSHProxy
		h.Logf("kept machine %s (ssh %s@%s)", k.ID, k.User, k.Addr)
	}
	err = errors.New("nothing records kept machines (Options.OnKept)")
	if r.opts.OnKept != nil {
		err = r.opts.OnKept(ctx, KeptTest{Test: t.Name, Machines: kept, Key: r.flight.SSHKey(), OutputDir: h.OutputDir()})
	}
	if err == nil {
		return
	}
	// Unrecorded, nothing would ever remove them: they go now.
	h.Errorf("--keep-failed: record the kept machines: %v; removing them", err)
	for _, k := range kept {
		if r.opts.Provider.RemoveKept == nil {
			h.Errorf("kept machine %s: the %s provider cannot remove it; it is left running", k.ID, r.opts.Provider.Name)
			continue
		}
		if _, err := r.opts.Provider.RemoveKept(ctx, k); err != nil {
			h.Errorf("remove kept machine %s: %v", k.ID, err)
		}
	}
}

// disabledChecks maps a test's flags to the checks they turn off, and
// turns off those that are warnings (not fatal) when the denylist says
// skip-console-warnings.
func (r *run) disabledChecks(t *register.Test) map[string]bool {
	d := map[string]bool{}
	if r.opts.Denylist.SkipConsoleWarnings {
		for _, c := range consolecheck.Checks {
			if !c.Fatal {
				d[c.Name] = true
			}
		}
	}
	if t.HasFlag(register.NoKernelPanicCheck) {
		d[consolecheck.KernelPanic] = true
		d[consolecheck.KernelOops] = true
		d[consolecheck.KernelBUG] = true
		d[consolecheck.KernelWarning] = true
	}
	if t.HasFlag(register.NoEmergencyShellCheck) {
		d[consolecheck.EmergencyShell] = true
	}
	if t.HasFlag(register.NoFailedUnitCheck) {
		d[consolecheck.FailedUnit] = true
	}
	return d
}
