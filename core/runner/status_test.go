package runner

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// The status line sits under the progress lines: each write clears it
// and draws it again; it says done/total, the running tests longest
// first, and the time; it fits the terminal; close clears it.
func TestStatusLine(t *testing.T) {
	var out bytes.Buffer
	c := &clock{t: time.Unix(1000, 0)}
	s := newStatusLine(&out, 60, 3, c.now)
	c.add(2 * time.Second)
	s.started("basic.ssh")
	c.add(3 * time.Second)
	s.started("basic.reboot")
	c.add(2 * time.Second)
	if got := s.text(); got != "[0/3] 7s · 2 running: basic.ssh (5s), basic.reboot (2s)" {
		t.Errorf("line %q", got)
	}
	out.Reset()
	s.Write([]byte("--- PASS: basic.ssh (5.00s)\n"))
	s.finished("basic.ssh")
	if got := out.String(); !strings.HasPrefix(got, "\r\x1b[K--- PASS: basic.ssh (5.00s)\n[0/3]") || !strings.HasSuffix(got, "[1/3] 7s · 1 running: basic.reboot (2s)") {
		t.Errorf("written %q", got)
	}
	for range 5 {
		s.started("a.test.with.a.rather.long.name")
		c.add(61 * time.Second)
	}
	if got := s.text(); len([]rune(got)) != 59 || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "[1/3] 5m12s") {
		t.Errorf("long line %q (%d)", got, len([]rune(got)))
	}
	s.tick(time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	s.close()
	if !strings.HasSuffix(out.String(), "\r\x1b[K") {
		t.Errorf("close does not clear the line: %q", out.String()[max(0, out.Len()-40):])
	}
}

// With StatusLine, a run's progress lines come out whole (the status's
// redraws stripped), and the last status says every test done.
func TestRunWithStatusLine(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	e.add(t,
		register.Test{Name: "t.one", ClusterSize: 1, Run: func(c cluster.TestCluster) {}},
		register.Test{Name: "t.two", ClusterSize: 1, Run: func(c cluster.TestCluster) { c.Fatal("no") }},
	)
	_, err, progress := e.run(t, context.Background(), func(o *Options) { o.StatusLine, o.StatusWidth = true, 100; o.Rerun = 1 })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(progress, "[3/3]") {
		t.Errorf("no final status:\n%q", progress)
	}
	plain := regexp.MustCompile(`\r\x1b\[K(\[[^\n\r]*)?`).ReplaceAllString(progress, "")
	for _, want := range []string{"--- PASS: t.one", "--- FAIL: t.two", "=== RERUN 1 of 1: 1 failed tests\n"} {
		if !strings.Contains(plain, want) {
			t.Errorf("progress lacks %q:\n%q", want, plain)
		}
	}
	if strings.HasSuffix(progress, "]") || !strings.HasSuffix(progress, "\r\x1b[K") && !strings.HasSuffix(progress, "\n") {
		t.Errorf("the status line is left at the end: %q", progress[max(0, len(progress)-60):])
	}
}
