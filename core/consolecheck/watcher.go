package consolecheck

import (
	"bytes"
	"strings"
	"sync"
)

// maxLine bounds a partial line kept between writes; longer lines are cut.
const maxLine = 64 * 1024

// Watcher is an io.Writer to put between a console stream and its file: it
// splits the stream into lines, reports the first match of each enabled
// check to OnMatch as it happens, and remembers all matches.
type Watcher struct {
	Disabled map[string]bool
	OnMatch  func(Match)

	mu      sync.Mutex
	partial []byte
	lineNo  int
	seen    map[string]bool
	matches []Match
}

func (w *Watcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			if len(w.partial) > maxLine {
				w.lineLocked(string(w.partial))
				w.partial = w.partial[:0]
			}
			break
		}
		w.partial = append(w.partial, p[:i]...)
		w.lineLocked(string(w.partial))
		w.partial = w.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

// Flush checks a last line that had no newline.
func (w *Watcher) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.lineLocked(string(w.partial))
		w.partial = w.partial[:0]
	}
}

func (w *Watcher) line(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lineLocked(s)
}

func (w *Watcher) lineLocked(s string) {
	w.lineNo++
	s = strings.TrimRight(s, "\r")
	for _, c := range Checks {
		if w.Disabled[c.Name] || w.seen[c.Name] || !c.Pattern.MatchString(s) {
			continue
		}
		if w.seen == nil {
			w.seen = map[string]bool{}
		}
		w.seen[c.Name] = true
		m := Match{Check: c.Name, Line: s, LineNo: w.lineNo}
		w.matches = append(w.matches, m)
		if w.OnMatch != nil {
			w.OnMatch(m)
		}
	}
}

// Matches returns what matched so far.
func (w *Watcher) Matches() []Match {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Match(nil), w.matches...)
}
