package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// kolaChild is this test binary run again as a child kola: the test
// named test, whose child half env tells it to run (see childEnv). Its
// standard output and error are one stream of lines, kept.
type kolaChild struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  strings.Builder
	done chan struct{} // closed once the child exited and its output was all read
	code int           // its exit status, once done is closed
}

// startChild starts the child half of test with env added. onLine, if
// set, sees each line the child prints, with the child's process, on the
// goroutine that reads them. A child still running after timeout is
// killed, so a hung child fails its test instead of holding it.
func startChild(t *testing.T, test string, env []string, timeout time.Duration, onLine func(line string, p *os.Process)) *kolaChild {
	t.Helper()
	c := &kolaChild{cmd: exec.Command(os.Args[0], "-test.run=^"+test+"$"), done: make(chan struct{})}
	c.cmd.Env = append(childEnv(), env...)
	r, w := io.Pipe()
	c.cmd.Stdout, c.cmd.Stderr = w, w
	if err := c.cmd.Start(); err != nil {
		t.Fatalf("start the child of %s: %v", test, err)
	}
	timer := time.AfterFunc(timeout, func() { c.cmd.Process.Kill() })
	exited := make(chan struct{})
	go func() {
		c.cmd.Wait()
		timer.Stop()
		c.code = c.cmd.ProcessState.ExitCode()
		w.Close()
		close(exited)
	}()
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			c.mu.Lock()
			c.out.WriteString(sc.Text() + "\n")
			c.mu.Unlock()
			if onLine != nil {
				onLine(sc.Text(), c.cmd.Process)
			}
		}
		// A line past the scanner's limit stops it: the rest is drained,
		// so that the child never blocks writing.
		io.Copy(io.Discard, r)
		<-exited
		close(c.done)
	}()
	return c
}

// Output is what the child printed so far.
func (c *kolaChild) Output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// Wait waits for the child to exit and returns everything it printed and
// its exit status (-1 when a signal ended it).
func (c *kolaChild) Wait() (string, int) {
	<-c.done
	return c.Output(), c.code
}

// runChild runs the child half of test with env added, calls act with
// its process at the first line of its output holding at (unless at is
// ""), and returns its output and exit status. A child that never says
// at fails the test.
func runChild(t *testing.T, test string, env []string, at string, act func(*os.Process)) (string, int) {
	t.Helper()
	var once sync.Once
	acted := false
	c := startChild(t, test, env, 5*time.Minute, func(line string, p *os.Process) {
		if at != "" && strings.Contains(line, at) {
			once.Do(func() { acted = true; act(p) })
		}
	})
	output, code := c.Wait()
	if at != "" && !acted {
		t.Errorf("the child of %s never said %q", test, at)
	}
	return output, code
}

// bazelTestProtocol are the variables Bazel tells a test target by. The
// kolas these tests run are not Bazel tests themselves: under Bazel, the
// protocol would send their files to this test's TEST_TMPDIR (past the
// TMPDIR a test gives them), their JUnit to its XML file, and make them
// refuse --keep-failed.
var bazelTestProtocol = []string{"TEST_TMPDIR", "XML_OUTPUT_FILE", "TEST_UNDECLARED_OUTPUTS_DIR",
	"TEST_SHARD_STATUS_FILE", "TEST_TOTAL_SHARDS", "TEST_SHARD_INDEX", "TESTBRIDGE_TEST_ONLY"}

// childEnv is this process's environment for a child kola, without the
// Bazel test protocol.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(bazelTestProtocol, name) {
			env = append(env, kv)
		}
	}
	return env
}

// notABazelTest hides the Bazel test protocol from kola run in-process
// for the rest of the test.
func notABazelTest(t *testing.T) {
	for _, v := range bazelTestProtocol {
		t.Setenv(v, "")
	}
}

// interrupt is an act of runChild: SIGINT, as Ctrl-C sends it.
func interrupt(t *testing.T) func(*os.Process) {
	return func(p *os.Process) {
		if err := p.Signal(syscall.SIGINT); err != nil {
			t.Errorf("interrupt the child: %v", err)
		}
	}
}
