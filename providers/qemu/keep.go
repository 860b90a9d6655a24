package qemu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/qemu/vm"
	"golang.org/x/sys/unix"
)

// keptMarker, in a cluster's temporary directory, lists the machines kept
// there: the sweep of a dead kola's directories leaves it alone, and kola
// rm removes what is listed.
const keptMarker = "kept"

// Keep implements platform.Keeper: the running machines' QEMUs are
// detached (their guards released), their directories stay when the
// cluster goes, and the cluster forgets them.
func (c *cluster) Keep(ctx context.Context) ([]platform.KeptMachine, error) {
	if !c.flight.keep {
		return nil, errors.New("qemu: machines can be kept only by a flight made to keep them (FlightOptions.KeepFailed)")
	}
	var (
		kept []platform.KeptMachine
		errs []error
	)
	for _, pm := range c.Machines() {
		m, ok := pm.(*machine)
		if !ok || m.vm == nil || m.down() != nil {
			continue // a dead machine is destroyed with its cluster
		}
		if err := m.vm.Detach(); err != nil {
			errs = append(errs, fmt.Errorf("keep machine %s: %w", m.id, err))
			continue
		}
		m.Close() // this process's SSH connection
		c.Release(m)
		c.mu.Lock()
		c.kept = append(c.kept, m.id)
		c.mu.Unlock()
		kept = append(kept, platform.KeptMachine{
			ID: m.id, Platform: "qemu", User: m.User, Addr: m.Addr,
			Console: filepath.Join(m.dir, "console.log"),
			Handle:  map[string]string{"pid": strconv.Itoa(m.vm.Pid()), "dir": m.dir},
		})
	}
	if len(kept) > 0 {
		c.mu.Lock()
		list := strings.Join(c.kept, "\n") + "\n"
		c.mu.Unlock()
		if err := os.WriteFile(filepath.Join(c.dir, keptMarker), []byte(list), 0o644); err != nil {
			errs = append(errs, fmt.Errorf("mark kept machines: %w", err))
		}
	}
	return kept, errors.Join(errs...)
}

// removeExcept removes dir's entries but the kept machines' directories
// and the marker; dir itself goes when nothing is kept.
func removeExcept(dir string, kept []string) error {
	if len(kept) == 0 {
		return os.RemoveAll(dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		name := e.Name()
		if name == keptMarker || slices.Contains(kept, name) {
			continue
		}
		errs = append(errs, os.RemoveAll(filepath.Join(dir, name)))
	}
	return errors.Join(errs...)
}

// RemoveKept is the provider's platform.Provider.RemoveKept: it kills the
// kept machine's QEMU (only if that process is still the machine's) and
// removes its directory, and its cluster's when no kept machine is left
// there.
func RemoveKept(ctx context.Context, k platform.KeptMachine) (bool, error) {
	dir := k.Handle["dir"]
	pid, err := strconv.Atoi(k.Handle["pid"])
	if err != nil || dir == "" || !filepath.IsAbs(dir) || !strings.HasPrefix(filepath.Base(filepath.Dir(dir)), tempPrefix) {
		return false, fmt.Errorf("qemu: kept machine %s: its record has no usable pid and directory (%v)", k.ID, k.Handle)
	}
	running, err := vm.KillGroup(ctx, pid, dir)
	if err != nil {
		return running, fmt.Errorf("qemu: remove kept machine %s: %w", k.ID, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return running, fmt.Errorf("qemu: remove kept machine %s: %w", k.ID, err)
	}
	clusterDir := filepath.Dir(dir)
	entries, err := os.ReadDir(clusterDir)
	if err != nil {
		return running, nil // already gone
	}
	for _, e := range entries {
		if e.IsDir() {
			return running, nil // another kept machine's
		}
	}
	if err := os.RemoveAll(clusterDir); err != nil {
		return running, fmt.Errorf("qemu: remove kept machine %s: %w", k.ID, err)
	}
	return running, nil
}

// killOrphans kills the processes (QEMU, swtpm) still running with dir on
// their command line: a kola killed between starting a detachable machine
// and handing it to its guard leaves one (see vm/detach.go).
func killOrphans(dir string) {
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		pid, err := strconv.Atoi(filepath.Base(p))
		if err != nil || pid == os.Getpid() {
			continue
		}
		if vm.RunsIn(pid, dir) {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
}
