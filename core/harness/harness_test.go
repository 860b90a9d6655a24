package harness

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func runSuite(t *testing.T, opts Options, tests ...Test) map[string]*Result {
	t.Helper()
	if opts.Grace == 0 {
		opts.Grace = 200 * time.Millisecond
	}
	var out strings.Builder
	opts.Output = &syncWriter{w: &out}
	res := NewSuite(opts, tests).Run(context.Background())
	t.Logf("suite output:\n%s", out.String())
	m := map[string]*Result{}
	var walk func(rs []*Result)
	walk = func(rs []*Result) {
		for _, r := range rs {
			m[r.Name] = r
			walk(r.Subtests)
		}
	}
	walk(res)
	return m
}

type syncWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func wantStatus(t *testing.T, res map[string]*Result, name string, want Status) *Result {
	t.Helper()
	r, ok := res[name]
	if !ok {
		t.Fatalf("no result for %q; have %v", name, keys(res))
	}
	if r.Status != want {
		t.Errorf("%s: status %s, want %s (messages %q)", name, r.Status, want, r.Messages)
	}
	return r
}

func keys(m map[string]*Result) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	return k
}

func TestOutcomes(t *testing.T) {
	afterFatal := false
	res := runSuite(t, Options{},
		Test{Name: "pass", Run: func(h *H) { h.Log("fine") }},
		Test{Name: "error", Run: func(h *H) { h.Errorf("bad %d", 1); h.Log("continues") }},
		Test{Name: "fatal", Run: func(h *H) { h.Fatal("stop"); afterFatal = true }},
		Test{Name: "skip", Run: func(h *H) { h.Skipf("not on %s", "this platform") }},
		Test{Name: "panic", Run: func(h *H) { panic("boom") }},
		Test{Name: "fail-then-skip", Run: func(h *H) { h.Error("first"); h.Skip("then skip") }},
	)
	wantStatus(t, res, "pass", Pass)
	if r := wantStatus(t, res, "error", Fail); len(r.Messages) != 1 || r.Messages[0] != "bad 1" {
		t.Errorf("error messages = %q", r.Messages)
	}
	if r := res["error"]; len(r.Output) != 2 || !strings.Contains(r.Output[1], "continues") || !strings.Contains(r.Output[0], "harness_test.go:") {
		t.Errorf("error output = %q, want two lines with file:line", r.Output)
	}
	wantStatus(t, res, "fatal", Fail)
	if afterFatal {
		t.Error("code after Fatal ran")
	}
	if r := wantStatus(t, res, "skip", Skip); r.Messages[0] != "not on this platform" {
		t.Errorf("skip reason = %q", r.Messages)
	}
	if r := wantStatus(t, res, "panic", Fail); !strings.HasPrefix(r.Messages[0], "panic: boom") {
		t.Errorf("panic message = %q", r.Messages)
	}
	wantStatus(t, res, "fail-then-skip", Fail)
}

func TestSubtests(t *testing.T) {
	var order []string
	var mu sync.Mutex
	add := func(s string) { mu.Lock(); order = append(order, s); mu.Unlock() }
	res := runSuite(t, Options{},
		Test{Name: "parent", Run: func(h *H) {
			if !h.Run("ok", func(h *H) { add("ok") }) {
				h.Error("passing subtest reported failure")
			}
			if h.Run("bad", func(h *H) { add("bad"); h.Fatal("sub failed") }) {
				h.Error("failing subtest reported success")
			}
			h.Run("nested", func(h *H) {
				h.Run("deeper", func(h *H) { add(h.Name()) })
			})
			add("parent-end")
		}},
	)
	wantStatus(t, res, "parent", Fail)
	wantStatus(t, res, "parent/ok", Pass)
	wantStatus(t, res, "parent/bad", Fail)
	wantStatus(t, res, "parent/nested/deeper", Pass)
	want := "ok bad parent/nested/deeper parent-end"
	if got := strings.Join(order, " "); got != want {
		t.Errorf("order %q, want %q", got, want)
	}
}

// Parallel subtests start only after the parent's function returned, run
// together, and the parent waits for them before its cleanups.
func TestParallelSubtests(t *testing.T) {
	var events []string
	var mu sync.Mutex
	add := func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	all := make(chan struct{})
	var arrived atomic.Int32
	res := runSuite(t, Options{},
		Test{Name: "p", Run: func(h *H) {
			h.Cleanup(func() { add("cleanup") })
			for i := 0; i < 3; i++ {
				h.Run(fmt.Sprint(i), func(h *H) {
					h.Parallel()
					if arrived.Add(1) == 3 {
						close(all)
					}
					select {
					case <-all: // all three are running at once
					case <-time.After(5 * time.Second):
						h.Fatal("parallel subtests did not run together")
					}
					add("sub")
				})
			}
			add("body-end")
		}},
	)
	wantStatus(t, res, "p", Pass)
	want := "body-end sub sub sub cleanup"
	if got := strings.Join(events, " "); got != want {
		t.Errorf("events %q, want %q", got, want)
	}
}

// The suite's Parallel option bounds how many top-level tests run at once.
func TestParallelLimit(t *testing.T) {
	for _, limit := range []int{1, 2, 4} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			var cur, peak atomic.Int32
			var tests []Test
			for i := 0; i < 8; i++ {
				tests = append(tests, Test{Name: fmt.Sprint("t", i), Run: func(h *H) {
					h.Parallel()
					n := cur.Add(1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					time.Sleep(30 * time.Millisecond)
					cur.Add(-1)
				}})
			}
			res := runSuite(t, Options{Parallel: limit}, tests...)
			for _, tt := range tests {
				wantStatus(t, res, tt.Name, Pass)
			}
			if got := peak.Load(); got != int32(limit) {
				t.Errorf("peak concurrency %d, want %d", got, limit)
			}
		})
	}
}

// A test that ignores its context and hangs is stopped at its timeout, its
// cleanup runs, and the tests around it pass.
func TestHungTestIsAbandoned(t *testing.T) {
	cleaned := make(chan struct{})
	hang := make(chan struct{})
	defer close(hang)
	start := time.Now()
	res := runSuite(t, Options{Parallel: 2, Grace: 100 * time.Millisecond},
		Test{Name: "before", Run: func(h *H) { h.Parallel() }},
		Test{Name: "hung", Timeout: 200 * time.Millisecond, Run: func(h *H) {
			h.Parallel()
			h.Cleanup(func() { close(cleaned) })
			<-hang // ignores h.Context()
		}},
		Test{Name: "after", Run: func(h *H) { h.Parallel(); time.Sleep(50 * time.Millisecond) }},
	)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("suite took %v; the hung test was not stopped", d)
	}
	wantStatus(t, res, "before", Pass)
	wantStatus(t, res, "after", Pass)
	r := wantStatus(t, res, "hung", Fail)
	if !r.TimedOut || !strings.Contains(strings.Join(r.Messages, ";"), "timed out after 200ms") {
		t.Errorf("hung: TimedOut=%v messages=%q", r.TimedOut, r.Messages)
	}
	select {
	case <-cleaned:
	default:
		t.Error("cleanup of the hung test did not run")
	}
}

// A test that watches its context returns at the deadline with the timeout
// as cause, and is reported as timed out.
func TestTimeoutCancelsContext(t *testing.T) {
	var cause error
	var hadDeadline bool
	res := runSuite(t, Options{Timeout: 100 * time.Millisecond},
		Test{Name: "waits", Run: func(h *H) {
			_, hadDeadline = h.Deadline()
			<-h.Context().Done()
			cause = context.Cause(h.Context())
		}},
	)
	r := wantStatus(t, res, "waits", Fail)
	if !r.TimedOut {
		t.Error("not reported as timed out")
	}
	if !errors.Is(cause, ErrTimeout) {
		t.Errorf("cause %v, want ErrTimeout", cause)
	}
	if !hadDeadline {
		t.Error("Deadline reported none")
	}
}

// A parallel test's clock starts when it gets a slot, not while it waits.
func TestTimeoutCountsFromSlot(t *testing.T) {
	res := runSuite(t, Options{Parallel: 1, Timeout: 400 * time.Millisecond},
		Test{Name: "a", Run: func(h *H) { h.Parallel(); time.Sleep(300 * time.Millisecond) }},
		Test{Name: "b", Run: func(h *H) { h.Parallel(); time.Sleep(300 * time.Millisecond) }},
	)
	wantStatus(t, res, "a", Pass)
	wantStatus(t, res, "b", Pass)
}

func TestCleanupOrderAndPanics(t *testing.T) {
	var order []int
	res := runSuite(t, Options{},
		Test{Name: "c", Run: func(h *H) {
			h.Cleanup(func() { order = append(order, 1) })
			h.Cleanup(func() { panic("in cleanup") })
			h.Cleanup(func() { order = append(order, 3) })
			panic("in test")
		}},
	)
	r := wantStatus(t, res, "c", Fail)
	if fmt.Sprint(order) != "[3 1]" {
		t.Errorf("cleanup order %v, want [3 1]", order)
	}
	if msgs := strings.Join(r.Messages, ";"); !strings.Contains(msgs, "panic: in test") || !strings.Contains(msgs, "panic in cleanup: in cleanup") {
		t.Errorf("messages %q", r.Messages)
	}
}

func TestDirs(t *testing.T) {
	out := t.TempDir()
	var tmp, odir, subdir string
	res := runSuite(t, Options{OutputDir: out},
		Test{Name: "cl.basic", Run: func(h *H) {
			tmp = h.TempDir()
			odir = h.OutputDir()
			h.Run("sub test", func(h *H) { subdir = h.OutputDir() })
			if _, err := os.Stat(tmp); err != nil {
				h.Error(err)
			}
		}},
	)
	wantStatus(t, res, "cl.basic", Pass)
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("TempDir %s still there: %v", tmp, err)
	}
	if odir != filepath.Join(out, "cl.basic") {
		t.Errorf("OutputDir %s", odir)
	}
	if subdir != filepath.Join(out, "cl.basic", "sub_test") {
		t.Errorf("subtest OutputDir %s", subdir)
	}
	if fi, err := os.Stat(subdir); err != nil || !fi.IsDir() {
		t.Errorf("subtest OutputDir not created: %v", err)
	}
}

func TestCancelledSuiteSkipsUnstarted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	cleaned := false
	s := NewSuite(Options{Parallel: 1}, []Test{
		{Name: "running", Run: func(h *H) {
			h.Parallel()
			h.Cleanup(func() { cleaned = true })
			close(started)
			<-h.Context().Done()
			h.Fatalf("interrupted: %v", context.Cause(h.Context()))
		}},
		{Name: "waiting", Run: func(h *H) { h.Parallel(); h.Error("must not run") }},
	})
	go func() { <-started; cancel() }()
	res := s.Run(ctx)
	if len(res) != 2 || res[0].Status != Fail || res[1].Status != Skip {
		t.Fatalf("results %+v %+v", res[0], res[1])
	}
	if !cleaned {
		t.Error("cleanup of the running test did not run")
	}
}

// TestSIGINTRunsCleanups runs a suite in a child process, interrupts it with
// a real SIGINT, and checks that the running test's cleanup happened and the
// child reported the test before exiting.
func TestSIGINTRunsCleanups(t *testing.T) {
	if os.Getenv("HARNESS_SIGINT_CHILD") != "" {
		sigintChild()
		return
	}
	marker := filepath.Join(t.TempDir(), "cleaned")
	cmd := exec.Command(os.Args[0], "-test.run=^TestSIGINTRunsCleanups$")
	cmd.Env = append(os.Environ(), "HARNESS_SIGINT_CHILD=1", "MARKER="+marker)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if sc.Text() == "ready" {
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = cmd.Wait()
	if b, err := os.ReadFile(marker); err != nil || string(b) != "cleanup ran" {
		t.Errorf("marker: %q, %v; child said %q", b, err, lines)
	}
	if !strings.Contains(strings.Join(lines, "\n"), "result blocked FAIL") {
		t.Errorf("child did not report the interrupted test: %q", lines)
	}
}

func sigintChild() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	res := NewSuite(Options{}, []Test{{Name: "blocked", Run: func(h *H) {
		h.Cleanup(func() {
			_ = os.WriteFile(os.Getenv("MARKER"), []byte("cleanup ran"), 0o644)
		})
		fmt.Println("ready")
		<-h.Context().Done()
		h.Fatal("interrupted")
	}}}).Run(ctx)
	for _, r := range res {
		fmt.Println("result", r.Name, r.Status)
	}
	os.Exit(0)
}

// With one slot, parallel tests run in registration order.
func TestSerialRunKeepsOrder(t *testing.T) {
	var order []string
	var tests []Test
	for i := 0; i < 6; i++ {
		name := fmt.Sprint("t", i)
		tests = append(tests, Test{Name: name, Run: func(h *H) {
			h.Parallel()
			order = append(order, name) // one slot: no two run together
		}})
	}
	runSuite(t, Options{Parallel: 1}, tests...)
	if got := strings.Join(order, " "); got != "t0 t1 t2 t3 t4 t5" {
		t.Errorf("order %q", got)
	}
}

// A test's duration counts from when it got its slot.
func TestDurationExcludesSlotWait(t *testing.T) {
	res := runSuite(t, Options{Parallel: 1},
		Test{Name: "first", Run: func(h *H) { h.Parallel(); time.Sleep(300 * time.Millisecond) }},
		Test{Name: "second", Run: func(h *H) { h.Parallel() }},
	)
	if d := res["second"].Duration; d > 150*time.Millisecond {
		t.Errorf("second took %v: the wait for first's slot was counted", d)
	}
}
