package harness

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"
)

// DefaultTimeout is the timeout of a test that sets none.
const DefaultTimeout = 10 * time.Minute

// Test is a top-level test of a suite.
type Test struct {
	Name string
	Run  func(*H)
	// Timeout overrides Options.Timeout for this test.
	Timeout time.Duration
}

// Options configure a suite run.
type Options struct {
	// Parallel limits how many top-level tests that called Parallel run at
	// once; 0 means 1.
	Parallel int
	// Timeout applies to tests that set none; 0 means DefaultTimeout.
	Timeout time.Duration
	// Grace is how long a timed-out test may take to return after its
	// context was cancelled before it is abandoned; 0 means 30s.
	Grace time.Duration
	// CleanupTimeout bounds CleanupContext; 0 means 5 minutes.
	CleanupTimeout time.Duration
	// OutputDir holds per-test artifact directories; empty means temporary.
	OutputDir string
	// Verbose writes each test's log to Output, not only failing tests'.
	Verbose bool
	// Output receives go-test-like progress lines; nil discards them.
	Output io.Writer
	// Logger receives diagnostics (dropped log lines of abandoned tests);
	// nil means slog.Default().
	Logger *slog.Logger
	// OnStart is called when a top-level parallel test starts running
	// (its slot taken, its clock started); OnFinish once per top-level
	// test as it finishes, started or not.
	OnStart  func(name string)
	OnFinish func(*Result)
}

// Suite runs a set of top-level tests.
type Suite struct {
	opts  Options
	tests []Test
	slots *slots

	mu      sync.Mutex
	results []*Result
	tmpOnce sync.Once
	tmp     string
	tmpErr  error
}

// NewSuite prepares tests to run with opts. Test names must be unique; the
// register package checks that for kola tests.
func NewSuite(opts Options, tests []Test) *Suite {
	if opts.Parallel <= 0 {
		opts.Parallel = 1
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.Grace <= 0 {
		opts.Grace = 30 * time.Second
	}
	if opts.CleanupTimeout <= 0 {
		opts.CleanupTimeout = 5 * time.Minute
	}
	if opts.Output == nil {
		opts.Output = io.Discard
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Suite{opts: opts, tests: tests, slots: newSlots(opts.Parallel)}
}

// Run runs every test and returns their results in the order given. When ctx
// is cancelled (SIGINT), running tests see their contexts cancelled, tests
// not yet started are skipped, and every cleanup still runs before Run
// returns.
func (s *Suite) Run(ctx context.Context) []*Result {
	rctx, cancel := context.WithCancelCause(ctx)
	root := &H{
		suite:   s,
		ctx:     rctx,
		cancel:  cancel,
		signal:  make(chan struct{}, 1),
		barrier: make(chan struct{}),
		done:    make(chan struct{}),
		clock:   make(chan bool),
	}
	go root.run(func(root *H) {
		for _, t := range s.tests {
			timeout := t.Timeout
			if timeout <= 0 {
				timeout = s.opts.Timeout
			}
			sub := root.newChild(t.Name, timeout)
			run := t.Run
			go sub.run(func(h *H) {
				if h.ctx.Err() != nil {
					h.Skipf("not started: %v", context.Cause(h.ctx))
				}
				run(h)
			})
			<-sub.signal
		}
	})
	<-root.done
	if err := s.removeTemp(); err != nil {
		s.opts.Logger.Warn("remove harness temp dir", "err", err)
	}

	byName := make(map[string]*Result, len(s.results))
	s.mu.Lock()
	for _, r := range s.results {
		byName[r.Name] = r
	}
	s.mu.Unlock()
	out := make([]*Result, 0, len(s.tests))
	for _, t := range s.tests {
		if r, ok := byName[t.Name]; ok {
			out = append(out, r)
		}
	}
	return out
}

func (s *Suite) started(h *H) {
	if h.parent == nil {
		return
	}
	if s.opts.Verbose {
		fmt.Fprintf(s.opts.Output, "=== RUN   %s\n", h.name)
	}
}

func (s *Suite) finished(r *Result) {
	if r.Name == "" { // the root
		return
	}
	s.printResult(r)
	if isSubtest(r.Name) {
		return
	}
	s.mu.Lock()
	s.results = append(s.results, r)
	s.mu.Unlock()
	if s.opts.OnFinish != nil {
		s.opts.OnFinish(r)
	}
}

func isSubtest(name string) bool {
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			return true
		}
	}
	return false
}

func (s *Suite) printResult(r *Result) {
	status := string(r.Status)
	if r.TimedOut {
		status = "FAIL"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintf(s.opts.Output, "--- %s: %s (%.2fs)\n", status, r.Name, r.Duration.Seconds())
	if s.opts.Verbose || r.Status == Fail {
		for _, l := range r.Output {
			fmt.Fprintf(s.opts.Output, "        %s\n", l)
		}
		if r.TimedOut {
			fmt.Fprintf(s.opts.Output, "        test timed out\n")
		}
	}
}

func (s *Suite) logDropped(test, line string) {
	s.opts.Logger.Warn("output after test finished", "test", test, "line", line)
}

func (s *Suite) tempRoot() string {
	s.tmpOnce.Do(func() {
		s.tmp, s.tmpErr = os.MkdirTemp("", "strata-harness-")
	})
	if s.tmpErr != nil {
		return os.TempDir()
	}
	return s.tmp
}

func (s *Suite) removeTemp() error {
	if s.tmp == "" {
		return nil
	}
	return os.RemoveAll(s.tmp)
}
