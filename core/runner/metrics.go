package runner

import (
	"bytes"
	"fmt"
	"strings"
)

// Metrics renders the run in Prometheus's text exposition format, for CI
// dashboards (a node exporter's textfile collector, a pushgateway): tests
// by status, the run's and each test's duration, and how long each
// test's machines took to be ready.
func (r *Report) Metrics() []byte {
	var b bytes.Buffer
	platform := label("platform", r.Platform)
	metric := func(name, typ, help string) {
		fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	metric("kola_tests", "gauge", "Top-level tests of the run by status.")
	for _, s := range []struct {
		status Status
		n      int
	}{{Passed, r.Counts.Passed}, {Failed, r.Counts.Failed}, {Skipped, r.Counts.Skipped}, {Errored, r.Counts.Errors}, {Warned, r.Counts.Warned}, {Flaky, r.Counts.Flaky}} {
		fmt.Fprintf(&b, "kola_tests{%s,%s} %d\n", platform, label("status", string(s.status)), s.n)
	}
	metric("kola_run_duration_seconds", "gauge", "Wall time of the run.")
	fmt.Fprintf(&b, "kola_run_duration_seconds{%s} %.3f\n", platform, r.DurationSeconds)
	metric("kola_run_interrupted", "gauge", "1 if the run was interrupted.")
	interrupted := 0
	if r.Interrupted {
		interrupted = 1
	}
	fmt.Fprintf(&b, "kola_run_interrupted{%s} %d\n", platform, interrupted)
	metric("kola_test_duration_seconds", "gauge", "Wall time of each test, machines included.")
	for _, t := range r.Tests {
		fmt.Fprintf(&b, "kola_test_duration_seconds{%s,%s,%s} %.3f\n", platform, label("test", t.Name), label("status", string(t.Status)), t.DurationSeconds)
	}
	metric("kola_cluster_ready_seconds", "gauge", "How long each test's machines took to be made and answer SSH.")
	for _, t := range r.Tests {
		if t.ClusterReadySeconds > 0 {
			fmt.Fprintf(&b, "kola_cluster_ready_seconds{%s,%s} %.3f\n", platform, label("test", t.Name), t.ClusterReadySeconds)
		}
	}
	return b.Bytes()
}

// label is name="value" with the value escaped as the format wants.
func label(name, value string) string {
	return name + `="` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(value) + `"`
}
