package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/strata-os/strata/core/denylist"
	"github.com/strata-os/strata/core/harness"
)

// Status of a test in the reports. ERROR is a failure of the platform
// (machines not created), not of the image under test.
type Status string

const (
	Passed  Status = "PASS"
	Failed  Status = "FAIL"
	Skipped Status = "SKIP"
	Errored Status = "ERROR"
	// Warned is a failure (or error) of a test a denylist entry with
	// warn: true names: reported, but it does not fail the run.
	Warned Status = "WARN"
	// Flaky is a test that failed and then passed on a rerun: reported,
	// but it does not fail the run.
	Flaky Status = "FLAKE"
)

// TestReport is one test in report.json.
type TestReport struct {
	Name            string    `json:"name"`
	Status          Status    `json:"status"`
	TimedOut        bool      `json:"timed_out,omitempty"`
	Start           time.Time `json:"start"`
	DurationSeconds float64   `json:"duration_seconds"`
	Messages        []string  `json:"messages,omitempty"`
	Output          []string  `json:"output,omitempty"`
	Artifacts       string    `json:"artifacts,omitempty"` // relative to the run directory
	// ClusterReadySeconds is how long the test's machines took to be
	// made and answer SSH (boot time, for a cluster of one).
	ClusterReadySeconds float64 `json:"cluster_ready_seconds,omitempty"`
	// Machines are the test's machines' lives (when each was asked for,
	// came up and went), for the timeline.
	Machines []MachineSpan `json:"machines,omitempty"`
	// Tracker is the bug of the denylist entry that skipped the test or
	// made its failure a warning.
	Tracker  string        `json:"tracker,omitempty"`
	Subtests []*TestReport `json:"subtests,omitempty"`
	// Reruns are the test's later attempts (--rerun), in order; Status is
	// the last one's, or FLAKE when the first failed and a later passed.
	Reruns []*TestReport `json:"reruns,omitempty"`
}

// Counts of top-level tests.
type Counts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	Errors  int `json:"errors"`
	Warned  int `json:"warned"`
	Flaky   int `json:"flaky"`
}

// Report is report.json: the outcome of a run.
type Report struct {
	Platform        string        `json:"platform"`
	Flight          string        `json:"flight"`
	Started         time.Time     `json:"started"`
	DurationSeconds float64       `json:"duration_seconds"`
	Interrupted     bool          `json:"interrupted,omitempty"`
	Counts          Counts        `json:"counts"`
	Tests           []*TestReport `json:"tests"`
	// Dir is the run's output directory.
	Dir string `json:"-"`
}

// attempt is one pass over tests: the run, or a rerun of its failures.
type attempt struct {
	dir     string // where its tests' artifacts are
	results []*harness.Result
	infra   map[string]bool // tests whose failure was the platform's
	ready   map[string]time.Duration
	spans   map[string][]MachineSpan
}

// newTestGrace is how long a new test's failures only warn.
const newTestGrace = 30 * 24 * time.Hour

func newReport(platform, flight, dir string, started time.Time, d time.Duration, attempts []attempt, deny denylist.Decisions, created map[string]time.Time) *Report {
	rep := &Report{Platform: platform, Flight: flight, Dir: dir, Started: started, DurationSeconds: d.Seconds(), Tests: []*TestReport{}}
	for _, res := range attempts[0].results {
		tr := attemptReport(dir, attempts[0], res)
		for _, a := range attempts[1:] {
			for _, rr := range a.results {
				if rr.Name == res.Name {
					tr.Reruns = append(tr.Reruns, attemptReport(dir, a, rr))
				}
			}
		}
		if n := len(tr.Reruns); n > 0 {
			if last := tr.Reruns[n-1].Status; last == Passed {
				tr.Status = Flaky
			} else {
				tr.Status = last
			}
		}
		if e, ok := deny.Denied(registeredName(res.Name)); ok && tr.Status == Skipped {
			tr.Tracker = e.Tracker
		}
		if e, ok := deny.Warned(registeredName(res.Name)); ok && (tr.Status == Failed || tr.Status == Errored) {
			tr.Status, tr.Tracker = Warned, e.Tracker
			tr.Messages = append([]string{"a warning, not a failure: " + e.Because()}, tr.Messages...)
		}
		if c, ok := created[registeredName(res.Name)]; ok && tr.Status == Failed && started.Sub(c) < newTestGrace {
			tr.Status = Warned
			tr.Messages = append([]string{fmt.Sprintf("a warning, not a failure: a new test (created %s), whose failures warn for its first 30 days", c.Format("2006-01-02"))}, tr.Messages...)
		}
		switch tr.Status {
		case Passed:
			rep.Counts.Passed++
		case Failed:
			rep.Counts.Failed++
		case Skipped:
			rep.Counts.Skipped++
		case Errored:
			rep.Counts.Errors++
		case Warned:
			rep.Counts.Warned++
		case Flaky:
			rep.Counts.Flaky++
		}
		rep.Tests = append(rep.Tests, tr)
	}
	return rep
}

// attemptReport is one attempt's report of a test, its artifacts' path
// relative to the run directory.
func attemptReport(runDir string, a attempt, res *harness.Result) *TestReport {
	tr := convert(a.dir, res)
	if d, ok := a.ready[res.Name]; ok {
		tr.ClusterReadySeconds = d.Seconds()
	}
	tr.Machines = a.spans[res.Name]
	if tr.Status == Failed && a.infra[res.Name] {
		tr.Status = Errored
	}
	if a.dir != runDir {
		rel, err := filepath.Rel(runDir, a.dir)
		if err == nil {
			prefixArtifacts(tr, rel)
		}
	}
	return tr
}

func prefixArtifacts(tr *TestReport, rel string) {
	if tr.Artifacts != "" {
		tr.Artifacts = filepath.Join(rel, tr.Artifacts)
	}
	for _, s := range tr.Subtests {
		prefixArtifacts(s, rel)
	}
}

func convert(dir string, r *harness.Result) *TestReport {
	tr := &TestReport{
		Name:            r.Name,
		TimedOut:        r.TimedOut,
		Start:           r.Start,
		DurationSeconds: r.Duration.Seconds(),
		Messages:        r.Messages,
		Output:          r.Output,
	}
	switch r.Status {
	case harness.Pass:
		tr.Status = Passed
	case harness.Skip:
		tr.Status = Skipped
	default:
		tr.Status = Failed
	}
	if rel := filepath.FromSlash(harness.ArtifactPath(r.Name)); dirExists(filepath.Join(dir, rel)) {
		tr.Artifacts = rel
	}
	for _, s := range r.Subtests {
		tr.Subtests = append(tr.Subtests, convert(dir, s))
	}
	return tr
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// ExitCode is kola's exit status for the run: 130 if it was interrupted
// (the tests it cut short failed because of that), else 1 if a test
// failed, else 3 if one errored (platform trouble), else 0. A warned test
// (a denylist's warn: true) and a flaky one (failed, then passed on a
// rerun, as coreos-assembler's kola counts it) do not count.
func (r *Report) ExitCode() int {
	switch {
	case r.Interrupted:
		return ExitInterrupt
	case r.Counts.Failed > 0:
		return ExitFailed
	case r.Counts.Errors > 0:
		return ExitInfra
	}
	return ExitOK
}

// Summary is the one line a person (or CI log) needs.
func (r *Report) Summary() string {
	s := fmt.Sprintf("%d passed, %d failed, %d skipped, %d errors", r.Counts.Passed, r.Counts.Failed, r.Counts.Skipped, r.Counts.Errors)
	if r.Counts.Warned > 0 {
		s += fmt.Sprintf(", %d warned", r.Counts.Warned)
	}
	if r.Counts.Flaky > 0 {
		s += fmt.Sprintf(", %d flaky", r.Counts.Flaky)
	}
	if r.Interrupted {
		s += " (interrupted)"
	}
	return s
}

// write writes the reports into the run directory, and the JUnit report
// also to extraJUnit if set (Bazel's XML_OUTPUT_FILE).
func (r *Report) write(extraJUnit string) error {
	if err := writeJSON(r.Dir, "report.json", r); err != nil {
		return err
	}
	if err := writeFile(r.Dir, "report.tap", r.TAP()); err != nil {
		return err
	}
	x, err := r.JUnit()
	if err != nil {
		return err
	}
	if extraJUnit != "" {
		if err := os.WriteFile(extraJUnit, x, 0o644); err != nil {
			return fmt.Errorf("write JUnit report for Bazel: %w", err)
		}
	}
	if err := writeFile(r.Dir, "junit.xml", x); err != nil {
		return err
	}
	if err := writeFile(r.Dir, "metrics.prom", r.Metrics()); err != nil {
		return err
	}
	h, err := r.HTML()
	if err != nil {
		return err
	}
	return writeFile(r.Dir, "report.html", h)
}

func writeJSON(dir, name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return writeFile(dir, name, append(b, '\n'))
}

// writeFile writes through a temporary file so an interrupted run never
// leaves half a report.
func writeFile(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, "."+name+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
