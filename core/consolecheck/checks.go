// Package consolecheck finds signs of a broken machine in its serial console
// and journal: firmware that will not boot the image, kernel panics,
// oopses, BUGs and warnings, emergency shells, crashing processes and
// failed systemd units. It works on whole texts after a test (Scan) and on
// a stream while the machine runs (Watcher), so a kernel panic can fail a
// test within seconds instead of at its timeout.
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
	// Fatal: the machine will not get further, so a provider that
	// watches the console ends it at once rather than wait for its boot
	// or test timeout.
	Fatal bool
	// Means says what a match means to someone who did not write the
	// pattern, when the matched line does not say it plainly.
	Means string
}

// Names of the checks, for Disabled sets.
const (
	FirmwareRefused = "firmware-refused"
	NoBootDevice    = "no-boot-device"
	KernelPanic     = "kernel-panic"
	KernelOops      = "kernel-oops"
	KernelBUG       = "kernel-bug"
	KernelWarning   = "kernel-warning"
	EmergencyShell  = "emergency-shell"
	Segfault        = "segfault"
	CoreDump        = "core-dump"
	FailedUnit      = "failed-unit"
)

// Checks are the default checks, applied to console and journal alike.
var Checks = []Check{
	// OVMF's boot manager, when Secure Boot will not run a loader (not
	// signed by a key in db, or revoked in dbx).
	{Name: FirmwareRefused, Pattern: regexp.MustCompile(`failed to load Boot[0-9A-Fa-f]{4}\b.*: (Access Denied|Security Violation)`), Fatal: true,
		Means: "the firmware refused to run the image's bootloader: with Secure Boot on, it must be signed by a key the firmware trusts"},
	// SeaBIOS, and OVMF when every boot option failed.
	{Name: NoBootDevice, Pattern: regexp.MustCompile(`No bootable device\.|BdsDxe: No bootable option or device was found`), Fatal: true,
		Means: "the firmware found nothing to boot: is the image a bootable disk (a boot loader for this firmware, BIOS or UEFI)?"},
	{Name: KernelPanic, Pattern: regexp.MustCompile(`Kernel panic - not syncing`), Fatal: true},
	// An oops leaves the kernel in a state no test result can be trusted
	// in, and an emergency shell waits for a person: neither machine
	// gets further, so a watching provider stops it at once.
	{Name: KernelOops, Pattern: regexp.MustCompile(`\bOops: [0-9a-fx]+ \[#\d+\]|\bOops\[#\d+\]`), Fatal: true},
	{Name: KernelBUG, Pattern: regexp.MustCompile(`\bBUG: (unable to handle|soft lockup|kernel NULL pointer|Bad page|scheduling while atomic|KASAN|sleeping function)`)},
	// A WARN_ON: the kernel ran on, but past a condition its developers
	// hold to be a bug, which a test image should not reach (strata's
	// own images did on every QEMU boot until pci=nomsi). The file and
	// line say which.
	{Name: KernelWarning, Pattern: regexp.MustCompile(`\bWARNING: (CPU: \d+ PID: \d+ )?at \S+:\d+`),
		Means: "the kernel hit a WARN_ON, a condition its developers hold to be a bug; its stack trace follows in the kernel log"},
	{Name: EmergencyShell, Pattern: regexp.MustCompile(`You are in emergency mode|Entering emergency mode|Starting Emergency Shell|Dropping to emergency shell|dracut-emergency`), Fatal: true,
		Means: "the system could not boot and waits for a person on the console: the lines before it say what failed"},
	{Name: Segfault, Pattern: regexp.MustCompile(`\bsegfault at [0-9a-f]+ ip `)},
	{Name: CoreDump, Pattern: regexp.MustCompile(`\(core dumped\)|systemd-coredump.*[Pp]rocess \d+ \(.*\) of user \d+ dumped core`)},
	{Name: FailedUnit, Pattern: regexp.MustCompile(`\[FAILED\] Failed to start |Failed to start .+\.$|\.service: Failed with result `)},
}

// Lookup returns the check named name.
func Lookup(name string) (Check, bool) {
	for _, c := range Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// Match is a check that matched, with the line that matched it.
type Match struct {
	Check  string
	Line   string
	LineNo int // 1-based within the text or stream
}

func (m Match) String() string { return m.Check + ": " + m.Line }

// Fatal says whether the machine that printed the match will get no
// further.
func (m Match) Fatal() bool {
	c, ok := Lookup(m.Check)
	return ok && c.Fatal
}

// Explain is the match as an error would give it: the check, the line,
// and what it means where the line does not say.
func (m Match) Explain() string {
	s := m.Check + " on console: " + m.Line
	if c, ok := Lookup(m.Check); ok && c.Means != "" {
		s += " (" + c.Means + ")"
	}
	return s
}

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
