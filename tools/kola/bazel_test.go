package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/register"
)

// kola run as a Bazel test target: results go to the undeclared outputs,
// JUnit to XML_OUTPUT_FILE, temporary files to TEST_TMPDIR, the shard is
// acknowledged, and a malformed shard variable is a usage error naming it.
func TestRunUnderBazel(t *testing.T) {
	reg := register.NewRegistry()
	var tmpSeen string
	for _, n := range []string{"x.a", "x.b", "x.c"} {
		_ = reg.Register(register.Test{Name: n, ClusterSize: 1, Run: func(c cluster.TestCluster) { tmpSeen = os.Getenv("TMPDIR") }})
	}
	dir := t.TempDir()
	outputs, tmp := filepath.Join(dir, "outputs"), filepath.Join(dir, "tmp")
	for _, d := range []string{outputs, tmp} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("TMPDIR", os.Getenv("TMPDIR")) // restored after the test
	t.Setenv("TEST_UNDECLARED_OUTPUTS_DIR", outputs)
	t.Setenv("TEST_TMPDIR", tmp)
	t.Setenv("XML_OUTPUT_FILE", filepath.Join(dir, "test.xml"))
	t.Setenv("TEST_TOTAL_SHARDS", "2")
	t.Setenv("TEST_SHARD_INDEX", "1")
	t.Setenv("TEST_SHARD_STATUS_FILE", filepath.Join(dir, "shard"))

	code, out, errOut, _ := kola(t, reg, "run", "-p", "fake", "-j", "1", "x.*")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	// Shard 1 of 2 gets the second of x.a, x.b, x.c.
	if !strings.Contains(out, "kola: 1 passed, 0 failed, 0 skipped, 0 errors; results in "+filepath.Join(outputs, "fake-")) {
		t.Errorf("not one test with results in the undeclared outputs:\n%s", out)
	}
	if x, err := os.ReadFile(filepath.Join(dir, "test.xml")); err != nil || !strings.Contains(string(x), `name="x.b"`) {
		t.Errorf("XML_OUTPUT_FILE: %v\n%s", err, x)
	}
	if _, err := os.Stat(filepath.Join(dir, "shard")); err != nil {
		t.Errorf("shard status file: %v", err)
	}
	if tmpSeen != tmp {
		t.Errorf("TMPDIR in the test = %q, want TEST_TMPDIR %q", tmpSeen, tmp)
	}

	t.Setenv("TEST_SHARD_INDEX", "x")
	code, _, errOut, _ = kola(t, reg, "run", "-p", "fake", "x.*")
	if code != 2 || !strings.Contains(errOut, `TEST_SHARD_INDEX="x"`) {
		t.Errorf("bad shard index: exit %d, %s", code, errOut)
	}
}
