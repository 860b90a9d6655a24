// Package denylist reads kola-denylist.yaml, the list of known-failing
// tests that coreos-assembler's kola honours, in its format: a YAML
// sequence of entries, each a test name pattern (path.Match globs) with
// the tracker of its bug and where it applies:
//
//	# kola-denylist.yaml
//	- pattern: ext.config.networking.*
//	  tracker: https://github.com/coreos/fedora-coreos-tracker/issues/1
//	  streams: [rawhide]          # only on these streams
//	  arches: [aarch64]           # only on these architectures
//	  platforms: [qemu, aws]      # only on these platforms
//	  snooze: 2026-12-31          # skipped until this date, runs from it on
//	  warn: true                  # runs, but a failure does not fail the run
//
// An entry with neither snooze nor warn skips its tests; a snoozed entry
// skips them until its date and then expires (with warn, they then run
// and only warn); the pattern skip-console-warnings turns off the
// console checks that are warnings (not the fatal ones) for the run.
// Unlike upstream, which ignores what it does not know, a key that is not
// one of these, or a value of the wrong kind, is an error naming the file
// and line: a misspelt "platfroms" would otherwise deny everywhere. The
// entries are read from yaml.v3's nodes, which know their lines.
package denylist

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// SkipConsoleWarnings is the pattern that, rather than naming tests,
// turns the console checks that are warnings off for the run.
const SkipConsoleWarnings = "skip-console-warnings"

// dateFormat is snooze's format.
const dateFormat = "2006-01-02"

// Entry is one entry of a denylist.
type Entry struct {
	Pattern   string   `yaml:"pattern"`
	Tracker   string   `yaml:"tracker"`
	Streams   []string `yaml:"streams"`
	Arches    []string `yaml:"arches"`
	Platforms []string `yaml:"platforms"`
	Snooze    string   `yaml:"snooze"`
	Warn      bool     `yaml:"warn"`
	// Where the entry is: file and line, for messages.
	File string `yaml:"-"`
	Line int    `yaml:"-"`
	// until is Snooze parsed.
	until time.Time
}

// Where is the entry's place, "FILE:LINE" (or what made it, such as a
// flag, when it has no line).
func (e Entry) Where() string {
	if e.Line == 0 {
		return e.File
	}
	return fmt.Sprintf("%s:%d", e.File, e.Line)
}

// Parse reads a denylist; file names it in errors.
func Parse(file string, data []byte) ([]Entry, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 || doc.Content[0].Tag == "!!null" {
		return nil, nil // empty, or comments only
	}
	list := doc.Content[0]
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: a denylist is a list of entries (- pattern: …), not a %s", file, list.Line, kind(list))
	}
	var entries []Entry
	for _, n := range list.Content {
		e, err := parseEntry(file, n)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// keys are an entry's keys, in the order messages list them.
var keys = []string{"pattern", "tracker", "streams", "arches", "platforms", "snooze", "warn"}

func parseEntry(file string, n *yaml.Node) (Entry, error) {
	e := Entry{File: file, Line: n.Line}
	if n.Kind != yaml.MappingNode {
		return e, fmt.Errorf("%s:%d: an entry is a mapping (pattern: …, tracker: …), not a %s", file, n.Line, kind(n))
	}
	fields := map[string]any{
		"pattern": &e.Pattern, "tracker": &e.Tracker, "streams": &e.Streams, "arches": &e.Arches,
		"platforms": &e.Platforms, "snooze": &e.Snooze, "warn": &e.Warn,
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		field, ok := fields[key.Value]
		if !ok {
			return e, fmt.Errorf("%s:%d: unknown key %q (an entry has %s)", file, key.Line, key.Value, strings.Join(keys, ", "))
		}
		if seen[key.Value] {
			return e, fmt.Errorf("%s:%d: %s given twice", file, key.Line, key.Value)
		}
		seen[key.Value] = true
		if err := val.Decode(field); err != nil {
			want := "a string"
			switch field.(type) {
			case *[]string:
				want = "a list of strings"
			case *bool:
				want = "true or false"
			}
			return e, fmt.Errorf("%s:%d: %s must be %s, not %s", file, val.Line, key.Value, want, kind(val))
		}
	}
	if e.Pattern == "" {
		return e, fmt.Errorf("%s:%d: entry has no pattern", file, n.Line)
	}
	if _, err := path.Match(e.Pattern, ""); err != nil {
		return e, fmt.Errorf("%s:%d: pattern %q: %v", file, n.Line, e.Pattern, err)
	}
	if e.Snooze != "" {
		t, err := time.Parse(dateFormat, e.Snooze)
		if err != nil {
			return e, fmt.Errorf("%s:%d: snooze %q is not a date (YYYY-MM-DD)", file, n.Line, e.Snooze)
		}
		e.until = t
	}
	return e, nil
}

// Scope is where a run happens, which decides the entries that apply.
type Scope struct {
	Platform string
	// Arch is the machines' architecture, as Go (amd64) or as the
	// distros (x86_64) name it.
	Arch string
	// Stream is the image's stream; empty means unknown, and entries
	// limited to streams then do not apply (as upstream).
	Stream string
	// Today decides snoozes.
	Today time.Time
}

// Decisions are the entries that apply to a run, by what they do.
type Decisions struct {
	// Deny skips the tests they match; Warn runs them and turns their
	// failures into warnings; Expired are snoozes that ran out (logged).
	Deny, Warn, Expired []Entry
	// SkipConsoleWarnings turns off the console checks that are warnings.
	SkipConsoleWarnings bool
}

// Decide applies entries to a run.
func Decide(entries []Entry, s Scope) Decisions {
	var d Decisions
	arch := distroArch(s.Arch)
	for _, e := range entries {
		if len(e.Arches) > 0 && !slices.ContainsFunc(e.Arches, func(a string) bool { return distroArch(a) == arch }) {
			continue
		}
		if len(e.Platforms) > 0 && !slices.Contains(e.Platforms, s.Platform) {
			continue
		}
		if len(e.Streams) > 0 && !slices.Contains(e.Streams, s.Stream) {
			continue
		}
		if e.Pattern == SkipConsoleWarnings {
			d.SkipConsoleWarnings = true
			continue
		}
		expired := !e.until.IsZero() && !s.Today.Before(e.until)
		switch {
		case !e.until.IsZero() && !expired:
			d.Deny = append(d.Deny, e)
		case e.Warn:
			if expired {
				d.Expired = append(d.Expired, e)
			}
			d.Warn = append(d.Warn, e)
		case expired:
			d.Expired = append(d.Expired, e)
		default:
			d.Deny = append(d.Deny, e)
		}
	}
	return d
}

// Denied returns the entry that skips test, if one does.
func (d Decisions) Denied(test string) (Entry, bool) { return match(d.Deny, test) }

// Warned returns the entry that makes test's failure a warning, if one does.
func (d Decisions) Warned(test string) (Entry, bool) { return match(d.Warn, test) }

func match(entries []Entry, test string) (Entry, bool) {
	for _, e := range entries {
		if ok, _ := path.Match(e.Pattern, test); ok {
			return e, true
		}
	}
	return Entry{}, false
}

// Because says why an entry applies to a test, with its tracker.
func (e Entry) Because() string {
	s := fmt.Sprintf("denylisted by %q (%s)", e.Pattern, e.Where())
	if e.Snooze != "" {
		s += " until " + e.Snooze
	}
	if e.Tracker != "" {
		s += ": " + e.Tracker
	}
	return s
}

// distroArch names an architecture as the distros and the denylists do.
func distroArch(a string) string {
	switch a {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	}
	return a
}

func kind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	}
	return "scalar " + fmt.Sprintf("%q", n.Value)
}
