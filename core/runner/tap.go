package runner

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// TAP renders the report as TAP version 13: one line per top-level test,
// with a YAML diagnostic block carrying the failure.
func (r *Report) TAP() []byte {
	var b bytes.Buffer
	b.WriteString("TAP version 13\n")
	fmt.Fprintf(&b, "1..%d\n", len(r.Tests))
	for i, t := range r.Tests {
		// '#' starts a directive in TAP; names never hold one, but be sure.
		name := strings.ReplaceAll(t.Name, "#", "_")
		switch t.Status {
		case Passed:
			fmt.Fprintf(&b, "ok %d - %s\n", i+1, name)
		case Flaky:
			fmt.Fprintf(&b, "ok %d - %s (flaky: failed, then passed on rerun %d)\n", i+1, name, len(t.Reruns))
		case Skipped:
			fmt.Fprintf(&b, "ok %d - %s # SKIP %s\n", i+1, name, oneLine(strings.Join(t.Messages, "; ")))
		default:
			directive := ""
			if t.Status == Warned {
				// TODO: a failure that does not fail the suite.
				directive = " # TODO " + oneLine(t.Messages[0])
			}
			fmt.Fprintf(&b, "not ok %d - %s%s\n", i+1, name, directive)
			diag := map[string]any{
				"status":      string(t.Status),
				"message":     strings.Join(t.Messages, "\n"),
				"duration_ms": int64(t.DurationSeconds * 1000),
			}
			if t.TimedOut {
				diag["timed_out"] = true
			}
			if len(t.Reruns) > 0 {
				diag["reruns"] = len(t.Reruns)
			}
			if t.Artifacts != "" {
				diag["artifacts"] = t.Artifacts
			}
			y, err := yaml.Marshal(diag)
			if err != nil { // maps of strings and numbers always encode
				y = []byte(fmt.Sprintf("message: %q\n", err.Error()))
			}
			b.WriteString("  ---\n")
			for _, line := range strings.Split(strings.TrimRight(string(y), "\n"), "\n") {
				b.WriteString("  " + line + "\n")
			}
			b.WriteString("  ...\n")
		}
	}
	return b.Bytes()
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
