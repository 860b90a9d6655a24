package runner

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// report.html is the run for a person: one file that needs no network
// (its style inline, no script), a row per test with its status, time,
// flake mark and tracker, the test's log and the tail of each machine's
// console and journal a click away (<details>), links to the whole files
// beside it, and a timeline of when each test held its machines, the
// part before they were ready (boot) apart from the test's own time; then
// a row per machine: when it was asked for, booted, and went.

//go:embed report.html.tmpl
var reportTemplate string

var reportHTML = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"lower": func(s Status) string { return strings.ToLower(string(s)) },
	"secs":  func(f float64) string { return fmt.Sprintf("%.1fs", f) },
	"addf":  func(a, b float64) float64 { return a + b },
}).Parse(reportTemplate))

// htmlTail is how much of each console and journal the page carries.
const htmlTail = 200

type htmlTest struct {
	*TestReport
	Logs     []htmlLog
	Timeline htmlBar
	Attempts int
}

// htmlMachine is one machine's row of the machines' timeline.
type htmlMachine struct {
	MachineSpan
	Test                   string
	BootSeconds, UpSeconds float64
	Bar                    htmlBar
}

type htmlLog struct {
	Name, Path, Tail string
	Lines            int
}

type htmlBar struct {
	// Left, Boot and Test are percents of the run's width.
	Left, Boot, Test float64
}

// HTML renders report.html; logs are read from the run directory.
func (r *Report) HTML() ([]byte, error) {
	total := r.DurationSeconds
	if total <= 0 {
		total = 1
	}
	var tests []htmlTest
	var machines []htmlMachine
	for _, t := range r.Tests {
		for _, m := range t.Machines {
			boot, up := m.ReadySeconds, m.EndSeconds-m.ReadySeconds
			if m.Failed {
				boot, up = m.EndSeconds, 0
			}
			machines = append(machines, htmlMachine{MachineSpan: m, Test: t.Name, BootSeconds: boot, UpSeconds: up,
				Bar: htmlBar{Left: pct(m.Start.Sub(r.Started).Seconds(), total), Boot: pct(boot, total), Test: pct(up, total)}})
		}
		ht := htmlTest{TestReport: t, Attempts: 1 + len(t.Reruns)}
		if !t.Start.IsZero() {
			left := t.Start.Sub(r.Started).Seconds()
			boot := min(t.ClusterReadySeconds, t.DurationSeconds)
			ht.Timeline = htmlBar{Left: pct(left, total), Boot: pct(boot, total), Test: pct(t.DurationSeconds-boot, total)}
		}
		if t.Artifacts != "" {
			ht.Logs = machineLogs(r.Dir, t.Artifacts)
		}
		tests = append(tests, ht)
	}
	sort.SliceStable(machines, func(i, j int) bool { return machines[i].Start.Before(machines[j].Start) })
	var b bytes.Buffer
	err := reportHTML.Execute(&b, map[string]any{
		"Report": r, "Tests": tests, "Machines": machines, "Summary": r.Summary(),
		"Started": r.Started.UTC().Format(time.RFC3339), "Duration": secsOf(r.DurationSeconds),
	})
	if err != nil {
		return nil, fmt.Errorf("render report.html: %w", err)
	}
	return b.Bytes(), nil
}

func pct(v, total float64) float64 {
	return max(0, min(100, 100*v/total))
}

func secsOf(f float64) string {
	return (time.Duration(f * float64(time.Second))).Round(time.Second).String()
}

// machineLogs finds the consoles and journals under a test's artifacts.
func machineLogs(runDir, artifacts string) []htmlLog {
	var logs []htmlLog
	root := filepath.Join(runDir, artifacts)
	_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (d.Name() != "console.txt" && d.Name() != "journal.txt") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(runDir, p)
		lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		tail := lines[max(0, len(lines)-htmlTail):]
		logs = append(logs, htmlLog{Name: filepath.ToSlash(strings.TrimPrefix(rel, artifacts+string(filepath.Separator))), Path: filepath.ToSlash(rel), Tail: strings.Join(tail, "\n"), Lines: len(lines)})
		return nil
	})
	sort.Slice(logs, func(i, j int) bool { return logs[i].Name < logs[j].Name })
	return logs
}
