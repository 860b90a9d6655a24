package runner

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// statusLine keeps one line at the bottom of a terminal saying how the
// run goes — tests done of all, those running and for how long, the
// time since the start — under the progress lines, which scroll above
// it: each write clears the line, writes, and draws it again. It is only
// for terminals (Options.StatusLine); elsewhere the progress lines alone
// are written, as before.
type statusLine struct {
	mu      sync.Mutex
	w       io.Writer
	width   int
	total   int
	done    int
	start   time.Time
	running map[string]time.Time
	drawn   bool
	now     func() time.Time
	stop    chan struct{}
	stopped sync.WaitGroup
}

func newStatusLine(w io.Writer, width, total int, now func() time.Time) *statusLine {
	if width <= 0 {
		width = 80
	}
	return &statusLine{w: w, width: width, total: total, start: now(), running: map[string]time.Time{}, now: now, stop: make(chan struct{})}
}

// tick redraws the line every interval (the elapsed times move) until
// close.
func (s *statusLine) tick(interval time.Duration) {
	s.stopped.Add(1)
	go func() {
		defer s.stopped.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				s.mu.Lock()
				s.draw()
				s.mu.Unlock()
			}
		}
	}()
}

// Write is the progress lines' writer.
func (s *statusLine) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
	n, err := s.w.Write(p)
	s.draw()
	return n, err
}

func (s *statusLine) started(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.running[name] = s.now()
	s.draw()
}

func (s *statusLine) finished(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.running, name)
	s.done++
	s.draw()
}

// more adds tests to run (a rerun's).
func (s *statusLine) more(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.total += n
}

// close stops the ticks and clears the line.
func (s *statusLine) close() {
	close(s.stop)
	s.stopped.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
}

func (s *statusLine) clear() {
	if s.drawn {
		io.WriteString(s.w, "\r\x1b[K")
		s.drawn = false
	}
}

func (s *statusLine) draw() {
	s.clear()
	io.WriteString(s.w, s.text())
	s.drawn = true
}

// text is the line, cut to the terminal's width.
func (s *statusLine) text() string {
	now := s.now()
	names := make([]string, 0, len(s.running))
	for n := range s.running {
		names = append(names, n)
	}
	// Longest-running first: the one to look at when a run hangs.
	sort.Slice(names, func(i, j int) bool { return s.running[names[i]].Before(s.running[names[j]]) })
	var b strings.Builder
	fmt.Fprintf(&b, "[%d/%d] %s", s.done, s.total, short(now.Sub(s.start)))
	if len(names) > 0 {
		each := make([]string, len(names))
		for i, n := range names {
			each[i] = fmt.Sprintf("%s (%s)", n, short(now.Sub(s.running[n])))
		}
		fmt.Fprintf(&b, " · %d running: %s", len(names), strings.Join(each, ", "))
	}
	line := b.String()
	if r := []rune(line); len(r) > s.width-1 {
		line = string(r[:s.width-2]) + "…"
	}
	return line
}

func short(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}
