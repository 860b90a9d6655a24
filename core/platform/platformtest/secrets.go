package platformtest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
)

// A flight signs in with the account's secret (Target.Secret) and goes
// its whole way: machines made at once, one create refused by the cloud,
// consoles read, GC run, everything destroyed. The secret is in no log
// line (at debug level, where SDKs dump their calls), no error, no
// console, no file the flight wrote, and no process's command line,
// which is watched from /proc while the flight runs.
func testSecrets(t *testing.T, target Target, b Backend, ctx context.Context) {
	if target.Secret == "" {
		t.Skip("the target signs in with no secret (Target.Secret)")
	}
	secret := target.Secret
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	argv := watchArgv(secret)
	out := t.TempDir()
	var said []string // errors, consoles, GC's report
	f, err := b.NewFlight(ctx, platform.FlightOptions{Name: "conformance-secrets", OutputDir: out, Logger: log})
	if err != nil {
		argv.stop()
		t.Fatalf("new flight: %v", err)
	}
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "secrets", OutputDir: out})
	if err != nil {
		t.Fatalf("new cluster: %v", err)
	}
	ms, err := platform.NewMachines(ctx, c, 2, conf.Script(script))
	if err != nil {
		said = append(said, err.Error())
	}
	for _, m := range ms {
		said = append(said, m.ConsoleOutput(ctx))
	}
	if fb, ok := b.(Faulty); ok {
		// A cloud's refusal, as the provider reports it.
		fb.Faults().Set(fault.Rule{Call: fb.Calls().Create, Effect: fault.Error, Status: 403})
		if _, err := c.NewMachine(ctx, conf.Script(script)); err != nil {
			said = append(said, err.Error())
		} else {
			t.Errorf("a create refused with 403 succeeded")
		}
		fb.Faults().Set()
	}
	if col, ok := b.(Collector); ok {
		items, err := col.GC(ctx, cloud.GCOptions{DryRun: true, OlderThan: time.Hour})
		said = append(said, fmt.Sprint(items, err))
	}
	if err := c.Destroy(ctx); err != nil {
		said = append(said, err.Error())
	}
	if err := f.Destroy(ctx); err != nil {
		said = append(said, err.Error())
	}
	hits := argv.stop()
	if strings.Contains(logs.String(), secret) {
		t.Errorf("the secret is in the flight's log:\n%s", linesWith(logs.String(), secret))
	}
	for _, s := range said {
		if strings.Contains(s, secret) {
			t.Errorf("the secret is in what the provider said: %s", linesWith(s, secret))
		}
	}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(secret)) {
			t.Errorf("the secret is in %s", p)
		}
		return nil
	})
	for _, h := range hits {
		t.Errorf("the secret is on a command line: %s", h)
	}
	if logs.Len() == 0 {
		t.Error("the flight logged nothing at debug level: nothing was checked there")
	}
}

// linesWith are the lines of s that hold secret, the secret masked.
func linesWith(s, secret string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, secret) {
			out = append(out, strings.ReplaceAll(l, secret, "<SECRET>"))
		}
	}
	return strings.Join(out, "\n")
}

// argvWatch samples every process's command line for a secret.
type argvWatch struct {
	done chan struct{}
	wg   sync.WaitGroup
	mu   sync.Mutex
	hits []string
}

func watchArgv(secret string) *argvWatch {
	w := &argvWatch{done: make(chan struct{})}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			paths, _ := filepath.Glob("/proc/[0-9]*/cmdline")
			for _, p := range paths {
				b, err := os.ReadFile(p)
				if err == nil && bytes.Contains(b, []byte(secret)) {
					w.mu.Lock()
					w.hits = append(w.hits, filepath.Base(filepath.Dir(p))+": "+strings.ReplaceAll(string(bytes.ReplaceAll(b, []byte{0}, []byte{' '})), secret, "<SECRET>"))
					w.mu.Unlock()
				}
			}
			select {
			case <-w.done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return w
}

func (w *argvWatch) stop() []string {
	close(w.done)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.hits
}

// syncBuffer is a buffer the flight's goroutines log into at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}
