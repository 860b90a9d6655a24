package denylist

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// A denylist in the upstream format, with each kind of entry its
// documentation describes.
const upstreamStyle = `# Known failures
- pattern: ext.config.shared.networking.nm-ifcfg-rh-plugin
  tracker: https://github.com/coreos/fedora-coreos-tracker/issues/1200
  streams:
    - rawhide
    - branched
- pattern: coreos.boot-mirror*
  tracker: https://github.com/coreos/fedora-coreos-tracker/issues/1201
  arches:
    - aarch64
- pattern: ext.config.kdump.crash
  tracker: https://github.com/coreos/fedora-coreos-tracker/issues/1202
  platforms:
    - aws
    - gce
  snooze: 2026-12-10
- pattern: basic.reboot
  tracker: https://github.com/coreos/fedora-coreos-tracker/issues/1203
  snooze: 2026-11-01
  warn: true
- pattern: ignition.luks
  tracker: https://github.com/coreos/fedora-coreos-tracker/issues/1204
  warn: true
- pattern: skip-console-warnings
  tracker: https://github.com/coreos/fedora-coreos-tracker/issues/1205
  platforms: [azure]
- pattern: basic.s*
`

func TestParse(t *testing.T) {
	entries, err := Parse("kola-denylist.yaml", []byte(upstreamStyle))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 7 {
		t.Fatalf("%d entries, want 7", len(entries))
	}
	e := entries[2]
	if e.Pattern != "ext.config.kdump.crash" || e.Snooze != "2026-12-10" || len(e.Platforms) != 2 || e.Line != 11 || e.Where() != "kola-denylist.yaml:11" {
		t.Errorf("third entry %+v", e)
	}
	if !entries[3].Warn || entries[1].Arches[0] != "aarch64" || entries[0].Streams[1] != "branched" {
		t.Errorf("entries %+v", entries)
	}
	for _, empty := range []string{"", "# nothing denied yet\n", "---\n"} {
		if entries, err := Parse("f", []byte(empty)); err != nil || len(entries) != 0 {
			t.Errorf("Parse(%q) = %v, %v", empty, entries, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"- pattern: a\n  platfroms: [qemu]\n", `f.yaml:2: unknown key "platfroms"`},
		{"- pattern: a\n  warn: sometimes\n", `f.yaml:2: warn must be true or false, not scalar "sometimes"`},
		{"- pattern: a\n  arches: x86_64\n", `f.yaml:2: arches must be a list of strings`},
		{"- pattern: a\n  snooze: next week\n", `f.yaml:1: snooze "next week" is not a date (YYYY-MM-DD)`},
		{"- pattern: a\n- tracker: https://example.com\n", `f.yaml:2: entry has no pattern`},
		{"- pattern: '[a'\n", `f.yaml:1: pattern "[a"`},
		{"pattern: a\n", `f.yaml:1: a denylist is a list of entries`},
		{"- basic.ssh\n", `f.yaml:1: an entry is a mapping`},
		{"- pattern: a\n  pattern: b\n", `f.yaml:2: pattern given twice`},
		{"- pattern: a\n   tracker: b\n", `f.yaml: yaml: line 2`},
	} {
		_, err := Parse("f.yaml", []byte(tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q): %v, want an error with %q", tc.yaml, err, tc.want)
		}
	}
}

func TestDecide(t *testing.T) {
	entries, err := Parse("kola-denylist.yaml", []byte(upstreamStyle))
	if err != nil {
		t.Fatal(err)
	}
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tc := range []struct {
		name                 string
		scope                Scope
		denied, warned, runs []string
		expired              []string
		skipConsoleWarnings  bool
	}{
		{
			name:   "qemu on x86_64, stream unknown",
			scope:  Scope{Platform: "qemu", Arch: "amd64", Today: day("2026-12-03 12:00")},
			denied: []string{"basic.ssh", "basic.systemd.running"},
			warned: []string{"basic.reboot", "ignition.luks"},
			// Stream-limited entries need the stream; arch- and
			// platform-limited ones apply elsewhere.
			runs:    []string{"ext.config.shared.networking.nm-ifcfg-rh-plugin", "coreos.boot-mirror.luks", "ext.config.kdump.crash"},
			expired: []string{"basic.reboot"},
		},
		{
			name:    "aws on aarch64, rawhide, snooze running",
			scope:   Scope{Platform: "aws", Arch: "arm64", Stream: "rawhide", Today: day("2026-12-09 23:59")},
			denied:  []string{"ext.config.shared.networking.nm-ifcfg-rh-plugin", "coreos.boot-mirror.luks", "ext.config.kdump.crash"},
			warned:  []string{"ignition.luks", "basic.reboot"},
			expired: []string{"basic.reboot"},
		},
		{
			name:    "aws on the snooze's date: it expired",
			scope:   Scope{Platform: "aws", Arch: "x86_64", Stream: "stable", Today: day("2026-12-10 00:00")},
			runs:    []string{"ext.config.kdump.crash", "ext.config.shared.networking.nm-ifcfg-rh-plugin"},
			expired: []string{"ext.config.kdump.crash", "basic.reboot"},
			warned:  []string{"basic.reboot"},
		},
		{
			name:                "azure skips console warnings",
			scope:               Scope{Platform: "azure", Arch: "amd64", Today: day("2026-12-03 12:00")},
			skipConsoleWarnings: true,
			expired:             []string{"basic.reboot"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Decide(entries, tc.scope)
			for _, name := range tc.denied {
				if e, ok := d.Denied(name); !ok {
					t.Errorf("%s is not denied", name)
				} else if !strings.Contains(e.Because(), e.Tracker) || e.Tracker == "" && e.Pattern != "basic.s*" {
					t.Errorf("%s: %s", name, e.Because())
				}
			}
			for _, name := range tc.warned {
				if _, ok := d.Warned(name); !ok {
					t.Errorf("%s does not warn", name)
				}
				if _, ok := d.Denied(name); ok {
					t.Errorf("%s is denied, want it run with warnings", name)
				}
			}
			for _, name := range tc.runs {
				if e, ok := d.Denied(name); ok {
					t.Errorf("%s is denied by %s", name, e.Where())
				}
			}
			var expired []string
			for _, e := range d.Expired {
				expired = append(expired, e.Pattern)
			}
			slices.Sort(expired)
			slices.Sort(tc.expired)
			if !slices.Equal(expired, tc.expired) {
				t.Errorf("expired %v, want %v", expired, tc.expired)
			}
			if d.SkipConsoleWarnings != tc.skipConsoleWarnings {
				t.Errorf("SkipConsoleWarnings %v", d.SkipConsoleWarnings)
			}
		})
	}
}
