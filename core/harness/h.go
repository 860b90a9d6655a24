// Package harness is strata's test framework. It is modelled on Go's testing
// package (Run, Parallel, Skip, Fatal, Cleanup, TempDir) with what testing
// lacks for tests that drive real machines: a per-test timeout that stops a
// hung test and lets the others continue, a Context cancelled at that
// deadline, panics reported as failures instead of crashing the run, and a
// per-test output directory for artifacts.
//
// A test that does not return within its timeout plus a grace period is
// abandoned: its cleanups run (which destroy its machines and so unblock it),
// it is reported as timed out, and the suite moves on. Go cannot kill a
// goroutine, so an abandoned test function may still be running; anything it
// reports after that is dropped.
package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// ErrTimeout is the cause of a test context cancelled at the test's deadline.
var ErrTimeout = errors.New("test timed out")

// H is handed to each test function. Like *testing.T, its reporting methods
// may be called from any goroutine, but FailNow, Fatal and SkipNow must be
// called from the test's own goroutine.
type H struct {
	suite  *Suite
	parent *H
	name   string // full name, subtests joined with "/"

	ctx    context.Context
	cancel context.CancelCauseFunc

	timeout time.Duration // 0 for subtests: they share the parent's deadline

	mu        sync.Mutex
	failed    bool
	skipped   bool
	timedOut  bool
	finished  bool
	parallel  bool
	messages  []string // failures and skip reasons, in order
	logs      []string
	cleanups  []func()
	subs      []*H
	parSubs   []*H // subtests that called Parallel
	start     time.Time
	duration  time.Duration
	deadline  time.Time
	tempDirs  []string
	outputDir string
	result    *Result

	signal  chan struct{} // tells Run that the subtest finished or went parallel
	barrier chan struct{} // closed when this test's body returned: parallel subtests may start
	done    chan struct{} // closed when this test and its subtests are finished
	clock   chan bool     // Parallel pauses (false) and restarts (true) the deadline clock
	slot    bool          // holds a slot of the suite's parallelism limit
}

func (h *H) Name() string { return h.name }

// Context is cancelled when the test times out, when the suite is
// interrupted, or after the test finished. context.Cause tells which.
func (h *H) Context() context.Context { return h.ctx }

// Deadline reports when the test will be stopped; ok is false when it has no
// timeout.
func (h *H) Deadline() (deadline time.Time, ok bool) {
	top := h.topLevel()
	top.mu.Lock()
	defer top.mu.Unlock()
	return top.deadline, !top.deadline.IsZero()
}

func (h *H) topLevel() *H {
	t := h
	for t.parent != nil && t.parent.parent != nil {
		t = t.parent
	}
	return t
}

// Log records a line in the test's output.
func (h *H) Log(args ...any) { h.log(fmt.Sprintln(args...)) }

// Logf records a formatted line in the test's output.
func (h *H) Logf(format string, args ...any) { h.log(fmt.Sprintf(format, args...)) }

func (h *H) log(s string) {
	s = strings.TrimSuffix(s, "\n")
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.finished {
		h.suite.logDropped(h.name, s)
		return
	}
	h.logs = append(h.logs, fmt.Sprintf("%s %s", h.decorate(), s))
}

// decorate stamps a log line with the time since the test started and the
// caller's file and line (skipping harness frames); h.mu must be held.
func (h *H) decorate() string {
	return fmt.Sprintf("%6.2fs %s", time.Since(h.start).Seconds(), caller())
}

func caller() string {
	for skip := 3; skip < 10; skip++ {
		_, file, line, ok := runtime.Caller(skip)
		if !ok {
			break
		}
		// TestCluster's helpers report for their caller, like t.Helper.
		// Paths are absolute from go test and workspace-relative from
		// Bazel (-trimpath), hence the leading slash.
		if f := "/" + file; !strings.HasSuffix(f, "/core/harness/h.go") && !strings.HasSuffix(f, "/core/cluster/cluster.go") {
			return fmt.Sprintf("%s:%d:", filepath.Base(file), line)
		}
	}
	return "???:1:"
}

// Fail marks the test failed and lets it continue.
func (h *H) Fail() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.fail()
}

// fail must be called with h.mu held. A failed subtest fails its parents.
func (h *H) fail() {
	if h.finished {
		return
	}
	h.failed = true
	for p := h.parent; p != nil; p = p.parent {
		p.mu.Lock()
		p.failed = true
		p.mu.Unlock()
	}
}

// Messages returns the failure messages so far.
func (h *H) Messages() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.messages...)
}

func (h *H) Failed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failed
}

// Abort fails the test from outside its goroutine — a watcher that saw
// its machine die — with cause as a message, and cancels its context so
// that what it waits on ends now rather than at its timeout. The test
// function still returns by itself.
func (h *H) Abort(cause error) {
	h.errorMsg(cause.Error() + "\n")
	h.cancel(cause)
}

// Error is Log followed by Fail; the message becomes the test's failure
// message in reports.
func (h *H) Error(args ...any) { h.errorMsg(fmt.Sprintln(args...)) }

// Errorf is Logf followed by Fail.
func (h *H) Errorf(format string, args ...any) { h.errorMsg(fmt.Sprintf(format, args...)) }

func (h *H) errorMsg(s string) {
	s = strings.TrimSuffix(s, "\n")
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.finished {
		h.suite.logDropped(h.name, s)
		return
	}
	h.logs = append(h.logs, fmt.Sprintf("%s %s", h.decorate(), s))
	h.messages = append(h.messages, s)
	h.fail()
}

// FailNow marks the test failed and stops it by calling runtime.Goexit.
func (h *H) FailNow() {
	h.Fail()
	runtime.Goexit()
}

// Fatal is Log followed by FailNow.
func (h *H) Fatal(args ...any) {
	h.errorMsg(fmt.Sprintln(args...))
	runtime.Goexit()
}

// Fatalf is Logf followed by FailNow.
func (h *H) Fatalf(format string, args ...any) {
	h.errorMsg(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// Skip is Log followed by SkipNow.
func (h *H) Skip(args ...any) { h.skip(fmt.Sprintln(args...)) }

// Skipf is Logf followed by SkipNow.
func (h *H) Skipf(format string, args ...any) { h.skip(fmt.Sprintf(format, args...)) }

func (h *H) skip(s string) {
	s = strings.TrimSuffix(s, "\n")
	h.mu.Lock()
	if !h.finished {
		h.logs = append(h.logs, fmt.Sprintf("%s %s", h.decorate(), s))
		h.messages = append(h.messages, s)
	}
	h.mu.Unlock()
	h.SkipNow()
}

// SkipNow marks the test skipped and stops it. A test that failed before it
// skipped stays failed.
func (h *H) SkipNow() {
	h.mu.Lock()
	if !h.finished {
		h.skipped = true
	}
	h.mu.Unlock()
	runtime.Goexit()
}

func (h *H) Skipped() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.skipped
}

// Cleanup registers f to run after the test and its subtests finished, also
// when it failed, panicked, timed out or the suite was interrupted. Cleanups
// run last-registered first. Use CleanupContext inside f for calls that must
// not be cut short by the test's own cancelled context.
func (h *H) Cleanup(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cleanups = append(h.cleanups, f)
}

// CleanupContext returns a context for cleanup work: it keeps the test's
// values but is not cancelled with the test, and it ends after the suite's
// cleanup timeout so that a stuck cleanup cannot hang the run.
func (h *H) CleanupContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(h.ctx), h.suite.opts.CleanupTimeout)
}

// TempDir returns a new directory that is removed when the test finishes.
func (h *H) TempDir() string {
	dir, err := os.MkdirTemp(h.suite.tempRoot(), sanitize(h.name)+"-")
	if err != nil {
		h.Fatalf("TempDir: %v", err)
	}
	h.mu.Lock()
	h.tempDirs = append(h.tempDirs, dir)
	h.mu.Unlock()
	return dir
}

// OutputDir returns the test's artifact directory, created on first use
// under the suite's output directory and kept after the run.
func (h *H) OutputDir() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.outputDir != "" {
		return h.outputDir
	}
	if h.suite.opts.OutputDir == "" {
		h.mu.Unlock()
		dir := h.TempDir()
		h.mu.Lock()
		h.outputDir = dir
		return dir
	}
	dir := filepath.Join(h.suite.opts.OutputDir, filepath.FromSlash(sanitizePath(h.name)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		h.messages = append(h.messages, fmt.Sprintf("OutputDir: %v", err))
		h.fail()
		return os.TempDir()
	}
	h.outputDir = dir
	return dir
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitize(name string) string { return unsafeChars.ReplaceAllString(name, "_") }

// ArtifactPath is where, relative to the suite's output directory, a test's
// OutputDir is: the subtest hierarchy as directories, unsafe characters
// replaced.
func ArtifactPath(name string) string { return sanitizePath(name) }

func sanitizePath(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		p = sanitize(p)
		if p == "" || p == "." || p == ".." {
			p = "_"
		}
		parts[i] = p
	}
	return strings.Join(parts, "/")
}

// Run runs f as a subtest named name and waits for it, unless f calls
// Parallel, in which case Run returns at once and the subtest runs after the
// parent's function returned. It reports whether the subtest passed (always
// true for a parallel subtest that has not finished yet).
func (h *H) Run(name string, f func(*H)) bool {
	sub := h.newChild(name, 0)
	go sub.run(f)
	<-sub.signal
	return !sub.Failed()
}

// Parallel signals that the test may run in parallel with other parallel
// tests. It returns once the parent's function returned and, for top-level
// tests, a slot under the suite's parallelism limit is free. The test's
// timeout counts from then.
func (h *H) Parallel() {
	h.mu.Lock()
	if h.parallel {
		h.mu.Unlock()
		panic("harness: Parallel called twice")
	}
	h.parallel = true
	h.mu.Unlock()

	h.parent.mu.Lock()
	h.parent.parSubs = append(h.parent.parSubs, h)
	h.parent.mu.Unlock()

	h.setClock(false)
	// Top-level tests queue for a slot now, while Parallel calls still
	// happen one at a time in registration order.
	var ticket chan struct{}
	if h.isTopLevel() {
		ticket = h.suite.slots.ticket()
	}
	h.signal <- struct{}{}
	select {
	case <-h.parent.barrier:
	case <-h.ctx.Done():
	}
	if ticket != nil {
		if h.suite.slots.wait(h.ctx, ticket) == nil {
			h.mu.Lock()
			h.slot = true
			h.mu.Unlock()
		}
	}
	// A slot and a cancellation can be ready together; select picks either.
	if err := context.Cause(h.ctx); err != nil {
		h.Skipf("not started: %v", err)
	}
	// The test starts now: its duration and log times leave out the wait.
	h.mu.Lock()
	h.start = time.Now()
	h.mu.Unlock()
	h.setClock(true)
	if h.isTopLevel() && h.suite.opts.OnStart != nil {
		h.suite.opts.OnStart(h.name)
	}
}

func (h *H) setClock(running bool) {
	select {
	case h.clock <- running:
	case <-h.ctx.Done():
	}
}

func (h *H) isTopLevel() bool { return h.parent != nil && h.parent.parent == nil }

func (h *H) newChild(name string, timeout time.Duration) *H {
	full := name
	if h.parent != nil {
		full = h.name + "/" + name
	}
	ctx, cancel := context.WithCancelCause(h.ctx)
	c := &H{
		suite:   h.suite,
		parent:  h,
		name:    full,
		ctx:     ctx,
		cancel:  cancel,
		timeout: timeout,
		signal:  make(chan struct{}, 1),
		barrier: make(chan struct{}),
		done:    make(chan struct{}),
		clock:   make(chan bool),
	}
	h.mu.Lock()
	h.subs = append(h.subs, c)
	h.mu.Unlock()
	return c
}

// run executes f in its own goroutine under the test's timeout and finishes
// the test: cleanups, result, and the signal to the waiting parent.
func (h *H) run(f func(*H)) {
	h.mu.Lock()
	h.start = time.Now()
	h.mu.Unlock()
	h.suite.started(h)

	body := make(chan struct{})
	go h.body(f, body)

	var timer <-chan time.Time
	startClock := func() {
		if h.timeout <= 0 {
			return
		}
		h.mu.Lock()
		h.deadline = time.Now().Add(h.timeout)
		h.mu.Unlock()
		timer = time.After(h.timeout)
	}
	startClock()
	abandoned := false
wait:
	for {
		select {
		case <-body:
			break wait
		case running := <-h.clock:
			if running {
				startClock()
			} else {
				timer = nil
				h.mu.Lock()
				h.deadline = time.Time{}
				h.mu.Unlock()
			}
		case <-timer:
			h.mu.Lock()
			h.timedOut = true
			h.messages = append(h.messages, fmt.Sprintf("timed out after %v", h.timeout))
			h.fail()
			h.mu.Unlock()
			h.cancel(ErrTimeout)
			select {
			case <-body:
			case <-time.After(h.suite.opts.Grace):
				abandoned = true
			}
			break wait
		}
	}
	if abandoned {
		// The body still runs, and so may its parallel subtests; cleanups
		// destroy what they use. Their results are reported as they stand.
		h.Logf("test did not return within %v of its timeout; abandoned", h.suite.opts.Grace)
	}
	h.runCleanups()
	h.cancel(context.Canceled)
	h.finish()
}

// body runs f and then, like testing, lets the parallel subtests start and
// waits for them, so that the parent's timeout covers them.
func (h *H) body(f func(*H), body chan struct{}) {
	defer close(body)
	returned := false
	defer func() {
		if !returned {
			if r := recover(); r != nil {
				h.mu.Lock()
				h.messages = append(h.messages, fmt.Sprintf("panic: %v", r))
				h.logs = append(h.logs, fmt.Sprintf("panic: %v\n%s", r, debug.Stack()))
				h.fail()
				h.mu.Unlock()
			}
		}
		close(h.barrier)
		h.mu.Lock()
		subs := append([]*H(nil), h.parSubs...)
		h.mu.Unlock()
		for _, s := range subs {
			<-s.done
		}
	}()
	f(h)
	returned = true
}

func (h *H) runCleanups() {
	for {
		h.mu.Lock()
		n := len(h.cleanups)
		if n == 0 {
			h.mu.Unlock()
			break
		}
		c := h.cleanups[n-1]
		h.cleanups = h.cleanups[:n-1]
		h.mu.Unlock()
		func() {
			defer func() {
				if r := recover(); r != nil {
					h.mu.Lock()
					h.messages = append(h.messages, fmt.Sprintf("panic in cleanup: %v", r))
					h.logs = append(h.logs, fmt.Sprintf("panic in cleanup: %v\n%s", r, debug.Stack()))
					h.fail()
					h.mu.Unlock()
				}
			}()
			c()
		}()
	}
	h.mu.Lock()
	dirs := h.tempDirs
	h.tempDirs = nil
	h.mu.Unlock()
	for _, d := range dirs {
		if err := os.RemoveAll(d); err != nil {
			h.Errorf("remove TempDir: %v", err)
		}
	}
}

func (h *H) finish() {
	h.mu.Lock()
	h.duration = time.Since(h.start)
	h.result = h.snapshot()
	h.finished = true
	parallel := h.parallel
	holdsSlot := h.slot
	h.slot = false
	h.mu.Unlock()
	if holdsSlot {
		h.suite.slots.release()
	}
	h.suite.finished(h.result)
	close(h.done)
	if !parallel {
		h.signal <- struct{}{}
	}
}

// snapshot builds the result; h.mu must be held.
func (h *H) snapshot() *Result {
	r := &Result{
		Name:     h.name,
		Start:    h.start,
		Duration: h.duration,
		TimedOut: h.timedOut,
		Messages: append([]string(nil), h.messages...),
		Output:   append([]string(nil), h.logs...),
	}
	switch {
	case h.failed:
		r.Status = Fail
	case h.skipped:
		r.Status = Skip
	default:
		r.Status = Pass
	}
	for _, s := range h.subs {
		s.mu.Lock()
		if s.result != nil {
			r.Subtests = append(r.Subtests, s.result)
		} else {
			// An abandoned parent can finish before its subtests.
			r.Subtests = append(r.Subtests, &Result{Name: s.name, Status: Fail, Messages: []string{"did not finish"}})
		}
		s.mu.Unlock()
	}
	return r
}
