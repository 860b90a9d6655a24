// Package bazel reads Bazel's test protocol from the environment, so that
// a kola run that is a Bazel test target behaves as one: JUnit to
// $XML_OUTPUT_FILE, the selected tests split across shards, artifacts in
// $TEST_UNDECLARED_OUTPUTS_DIR, --test_filter honoured and temporary
// files under $TEST_TMPDIR. Outside Bazel every field is empty.
package bazel

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// TestEnv is what Bazel tells a test through its environment.
type TestEnv struct {
	// XMLOutputFile receives the JUnit report (XML_OUTPUT_FILE).
	XMLOutputFile string
	// TotalShards and ShardIndex split the tests (TEST_TOTAL_SHARDS,
	// TEST_SHARD_INDEX); TotalShards is 0 when the target is not sharded.
	TotalShards, ShardIndex int
	// ShardStatusFile is touched to say the runner shards
	// (TEST_SHARD_STATUS_FILE).
	ShardStatusFile string
	// UndeclaredOutputsDir keeps artifacts (TEST_UNDECLARED_OUTPUTS_DIR).
	UndeclaredOutputsDir string
	// Filter is --test_filter (TESTBRIDGE_TEST_ONLY).
	Filter string
	// TmpDir is the test's private temporary directory (TEST_TMPDIR).
	TmpDir string
	// SrcDir and Workspace locate runfiles (TEST_SRCDIR, TEST_WORKSPACE).
	SrcDir, Workspace string
}

// FromEnv reads the protocol through getenv (os.Getenv in kola). Shard
// numbers that are not numbers, or an index outside the total, are an
// error naming the variable.
func FromEnv(getenv func(string) string) (TestEnv, error) {
	e := TestEnv{
		XMLOutputFile:        getenv("XML_OUTPUT_FILE"),
		ShardStatusFile:      getenv("TEST_SHARD_STATUS_FILE"),
		UndeclaredOutputsDir: getenv("TEST_UNDECLARED_OUTPUTS_DIR"),
		Filter:               getenv("TESTBRIDGE_TEST_ONLY"),
		TmpDir:               getenv("TEST_TMPDIR"),
		SrcDir:               getenv("TEST_SRCDIR"),
		Workspace:            getenv("TEST_WORKSPACE"),
	}
	total, index := getenv("TEST_TOTAL_SHARDS"), getenv("TEST_SHARD_INDEX")
	if total == "" {
		return e, nil
	}
	var err error
	if e.TotalShards, err = strconv.Atoi(total); err != nil || e.TotalShards < 1 {
		return TestEnv{}, fmt.Errorf("TEST_TOTAL_SHARDS=%q: not a positive number", total)
	}
	if e.ShardIndex, err = strconv.Atoi(index); err != nil || e.ShardIndex < 0 || e.ShardIndex >= e.TotalShards {
		return TestEnv{}, fmt.Errorf("TEST_SHARD_INDEX=%q: not a number in [0, %d)", index, e.TotalShards)
	}
	return e, nil
}

// Active reports whether the process runs as a Bazel test.
func (e TestEnv) Active() bool { return e.TmpDir != "" || e.XMLOutputFile != "" }

// InShard reports whether the i-th of the selected tests (in the runner's
// name order, the same in every shard) belongs to this shard: round robin,
// so shards get tests of every kind and their counts differ by at most one.
func (e TestEnv) InShard(i int) bool {
	if e.TotalShards <= 1 {
		return true
	}
	return i%e.TotalShards == e.ShardIndex
}

// AckSharding touches the shard status file, telling Bazel the runner
// splits its tests (otherwise Bazel warns every shard ran all of them).
func (e TestEnv) AckSharding() error {
	if e.ShardStatusFile == "" || e.TotalShards == 0 {
		return nil
	}
	f, err := os.OpenFile(e.ShardStatusFile, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("touch TEST_SHARD_STATUS_FILE: %w", err)
	}
	return f.Close()
}

// Runfile resolves a path given as $(rootpath ...) in a test's env or
// args: relative to the runfiles tree, while go_test runs in the
// package's directory. Absolute paths, and any path outside Bazel, are
// returned as they are.
func (e TestEnv) Runfile(p string) string {
	if p == "" || filepath.IsAbs(p) || e.SrcDir == "" {
		return p
	}
	return filepath.Join(e.SrcDir, e.Workspace, p)
}

// Runfile is TestEnv.Runfile for the process's own environment, for
// tests given prebuilt binaries by their Bazel targets.
func Runfile(p string) string {
	e, _ := FromEnv(os.Getenv)
	return e.Runfile(p)
}
