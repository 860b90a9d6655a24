package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/strata-os/strata/core/runner"
)

// keptMachines records the machines --keep-failed keeps as the run goes
// and says, after the run, how to reach and remove them.
type keptMachines struct {
	store machineStore
	// flight names the keys' files.
	flight string

	mu    sync.Mutex
	names []string
	lines []string
}

// onKept is the runner's OnKept, nil when nothing is kept.
func (k *keptMachines) onKept() func(context.Context, runner.KeptTest) error {
	if k == nil {
		return nil
	}
	return k.record
}

// record is the runner's OnKept.
func (k *keptMachines) record(_ context.Context, kt runner.KeptTest) error {
	keyPath, err := k.store.saveKey(k.flight, kt.Key)
	if err != nil {
		return err
	}
	for _, m := range kt.Machines {
		name, err := k.store.add(machineRecord{Test: kt.Test, Run: kt.OutputDir, Since: time.Now().UTC(), Key: keyPath, Machine: m})
		if err != nil {
			return err
		}
		line := fmt.Sprintf("  %s  (%s)\n    kola ssh %s\n    %s", name, kt.Test, name, sshCommandLine(keyPath, m.User, m.Addr))
		if m.Console != "" {
			line += "\n    console: " + m.Console
		}
		k.mu.Lock()
		k.names = append(k.names, name)
		k.lines = append(k.lines, line)
		k.mu.Unlock()
	}
	return nil
}

// report prints what was kept, after the run's summary.
func (k *keptMachines) report(w io.Writer) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.names) == 0 {
		return
	}
	fmt.Fprintf(w, "kola: kept %d machine(s) of failed tests; they run until removed:\n", len(k.names))
	for _, l := range k.lines {
		fmt.Fprintln(w, l)
	}
	fmt.Fprintf(w, "kola: remove them with: kola rm %s   (or: kola rm --all; list: kola machines)\n", strings.Join(k.names, " "))
}
