package runner

import (
	"regexp"
	"strings"
	"testing"
)

// Every line of metrics.prom is a comment or a sample in the text
// format, label values escaped; the counts and times are the report's.
func TestMetrics(t *testing.T) {
	r := &Report{Platform: "qemu", DurationSeconds: 61.5, Counts: Counts{Passed: 2, Failed: 1, Flaky: 1}, Tests: []*TestReport{
		{Name: "basic.ssh", Status: Passed, DurationSeconds: 14.25, ClusterReadySeconds: 9.5},
		{Name: `odd"name\with`, Status: Failed, DurationSeconds: 3},
	}}
	out := string(r.Metrics())
	sample := regexp.MustCompile(`^[a-z_]+\{([a-z_]+="([^"\\]|\\.)*",?)+\} [0-9.]+$`)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "# HELP ") && !strings.HasPrefix(line, "# TYPE ") && !sample.MatchString(line) {
			t.Errorf("not a valid line: %q", line)
		}
	}
	for _, want := range []string{
		`kola_tests{platform="qemu",status="PASS"} 2`,
		`kola_tests{platform="qemu",status="FLAKE"} 1`,
		`kola_run_duration_seconds{platform="qemu"} 61.500`,
		`kola_test_duration_seconds{platform="qemu",test="basic.ssh",status="PASS"} 14.250`,
		`kola_cluster_ready_seconds{platform="qemu",test="basic.ssh"} 9.500`,
		`test="odd\"name\\with"`,
		"# TYPE kola_tests gauge",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, `kola_cluster_ready_seconds{platform="qemu",test="odd`) {
		t.Error("a test whose machines never came up has a ready time")
	}
}
