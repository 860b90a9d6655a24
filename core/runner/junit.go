package runner

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/jstemmer/go-junit-report/v2/junit"
)

// JUnit renders the report as JUnit XML: one testsuite for the run, one
// testcase per test and subtest. Platform trouble is an <error>, a failing
// image a <failure>.
func (r *Report) JUnit() ([]byte, error) {
	suite := junit.Testsuite{
		Name: "kola." + r.Platform,
		Time: fmt.Sprintf("%.3f", r.DurationSeconds),
	}
	suite.SetTimestamp(r.Started)
	if h, err := os.Hostname(); err == nil {
		suite.Hostname = h
	}
	suite.AddProperty("platform", r.Platform)
	suite.AddProperty("flight", r.Flight)
	var add func(t *TestReport, inherited Status)
	add = func(t *TestReport, inherited Status) {
		status := t.Status
		if status == Failed && inherited == Errored {
			status = Errored
		}
		tc := junit.Testcase{
			Name:      t.Name,
			Classname: "kola." + r.Platform,
			Time:      fmt.Sprintf("%.3f", t.DurationSeconds),
		}
		msg := strings.Join(t.Messages, "\n")
		first := msg
		if i := strings.IndexByte(first, '\n'); i >= 0 {
			first = first[:i]
		}
		switch status {
		case Skipped:
			tc.Skipped = &junit.Result{Message: first}
		case Flaky:
			// Passed in the end: no failure element, the first attempt's
			// failure beside it, and flaky as the case's status (and the
			// suite's "flaky" property) for CI dashboards.
			tc.Status = "flaky"
			tc.SystemErr = &junit.Output{Data: "failed before it passed on a rerun:\n" + msg + "\n"}
		case Warned:
			// JUnit has no warnings; a skip with the failure keeps CI
			// green and the failure one click away.
			tc.Skipped = &junit.Result{Message: "WARN: " + first}
			tc.SystemErr = &junit.Output{Data: msg + "\n"}
		case Failed:
			typ := "failure"
			if t.TimedOut {
				typ = "timeout"
			}
			tc.Failure = &junit.Result{Message: first, Type: typ, Data: msg}
		case Errored:
			tc.Error = &junit.Result{Message: first, Type: "infrastructure", Data: msg}
		}
		if len(t.Output) > 0 {
			tc.SystemOut = &junit.Output{Data: strings.Join(t.Output, "\n") + "\n"}
		}
		suite.AddTestcase(tc)
		for _, s := range t.Subtests {
			add(s, status)
		}
	}
	var flaky []string
	for _, t := range r.Tests {
		add(t, t.Status)
		if t.Status == Flaky {
			flaky = append(flaky, t.Name)
		}
	}
	if len(flaky) > 0 {
		suite.AddProperty("flaky", strings.Join(flaky, ","))
	}
	var suites junit.Testsuites
	suites.AddSuite(suite)
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	if err := suites.WriteXML(&b); err != nil {
		return nil, fmt.Errorf("encode junit.xml: %w", err)
	}
	return b.Bytes(), nil
}
