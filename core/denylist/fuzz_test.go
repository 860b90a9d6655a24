package denylist

import (
	"strings"
	"testing"
	"time"
)

// Any input: no panic; an error names the file; what parses decides.
func FuzzParse(f *testing.F) {
	f.Add(upstreamStyle)
	f.Add("- pattern: a\n  platfroms: [qemu]\n")
	f.Add("- pattern: '[a'\n")
	f.Add("pattern: a\n")
	f.Add("- pattern: a\n  snooze: 2026-02-30\n")
	f.Add("- {pattern: a, warn: true, arches: [x86_64, aarch64]}\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, data string) {
		entries, err := Parse("fuzz.yaml", []byte(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, e := range entries {
			if e.Pattern == "" || e.File != "fuzz.yaml" || e.Line < 1 {
				t.Errorf("entry %+v", e)
			}
		}
		d := Decide(entries, Scope{Platform: "qemu", Arch: "amd64", Stream: "stable", Today: time.Now()})
		d.Denied("basic.ssh")
		d.Warned("basic.ssh")
	})
}
