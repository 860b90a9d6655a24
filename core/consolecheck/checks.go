// Package consolecheck finds signs of a broken machine in its serial console
// and journal: kernel panics, oopses, BUGs, emergency shells, crashing
// processes and failed systemd units. It works on whole texts after a test
// (Scan) and on a stream while the machine runs (Watcher), so a kernel panic
// can fail a test within seconds instead of at its timeout.
package consolecheck

import (
	"bufio"
	"regexp"
	"strings"
)

// Check is one pattern of trouble.
type Check struct {
	// Name identifies the check; tests turn checks off by name.
	Name    string
	Pattern *regexp.Regexp
}

// Names of the checks, for Disabled sets.
const (
	KernelPanic    = "kernel-panic"
	KernelOops     = "kernel-oops"
	KernelBUG      = "kernel-bug"
	EmergencyShell = "emergency-shell"
	Segfault       = "segfault"
	CoreDump       = "core-dump"
	FailedUnit     = "failed-unit"
)

// Checks are the default checks, applied to console and journal alike.
var Checks = []Check{
	{KernelPanic, regexp.MustCompile(`Kernel panic - not syncing`)},
	{KernelOops, regexp.MustCompile(`\bOops: [0-9a-fx]+ \[#\d+\]|\bOops\[#\d+\]`)},
	{KernelBUG, regexp.MustCompile(`\bBUG: (unable to handle|soft lockup|kernel NULL pointer|Bad page|scheduling while atomic|KASAN|sleeping function)`)},
	{EmergencyShell, regexp.MustCompile(`You are in emergency mode|Entering emergency mode|Starting Emergency Shell|Dropping to emergency shell|dracut-emergency`)},
	{Segfault, regexp.MustCompile(`\bsegfault at [0-9a-f]+ ip `)},
	{CoreDump, regexp.MustCompile(`\(core dumped\)|systemd-coredump.*[Pp]rocess \d+ \(.*\) of user \d+ dumped core`)},
	{FailedUnit, regexp.MustCompile(`\[FAILED\] Failed to start |Failed to start .+\.$|\.service: Failed with result `)},
}

// Match is a check that matched, with the line that matched it.
type Match struct {
	Check  string
	Line   string
	LineNo int // 1-based within the text or stream
}

func (m Match) String() string { return m.Check + ": " + m.Line }

// Scan returns the first match of each enabled check in text, in the order
// they appear.
func Scan(text string, disabled map[string]bool) []Match {
	w := &Watcher{Disabled: disabled}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		w.line(sc.Text())
	}
	return w.Matches()
}
