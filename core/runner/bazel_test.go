package runner

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/joshdk/go-junit"

	"github.com/strata-os/strata/core/bazel"
	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

// Two shards of the same run divide the selected tests between them, each
// writes its JUnit to Bazel's XML_OUTPUT_FILE and touches the shard status
// file; --test_filter narrows first.
func TestBazelProtocol(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	names := []string{"a.one", "a.two", "b.three", "b.four", "b.five"}
	for _, n := range names {
		e.add(t, register.Test{Name: n, Run: func(cluster.TestCluster) {}})
	}
	run := func(env bazel.TestEnv) []string {
		t.Helper()
		rep, err, _ := e.run(t, context.Background(), func(o *Options) { o.Bazel = env })
		if err != nil {
			t.Fatalf("run: %v", err)
		}
		suites, err := junit.IngestFile(env.XMLOutputFile)
		if err != nil || len(suites) != 1 {
			t.Fatalf("XML_OUTPUT_FILE: %v (%d suites)", err, len(suites))
		}
		var ran []string
		for _, tc := range suites[0].Tests {
			ran = append(ran, tc.Name)
		}
		if len(ran) != len(rep.Tests) {
			t.Errorf("JUnit has %d tests, report %d", len(ran), len(rep.Tests))
		}
		return ran
	}
	dir := t.TempDir()
	var all []string
	for i := 0; i < 2; i++ {
		status := filepath.Join(dir, "status"+itoa(i))
		ran := run(bazel.TestEnv{TotalShards: 2, ShardIndex: i, ShardStatusFile: status, XMLOutputFile: filepath.Join(dir, "shard"+itoa(i)+".xml")})
		if len(ran) < 2 || len(ran) > 3 {
			t.Errorf("shard %d ran %v, want 2 or 3 of 5", i, ran)
		}
		if _, err := os.Stat(status); err != nil {
			t.Errorf("shard %d: status file not touched", i)
		}
		all = append(all, ran...)
	}
	slices.Sort(all)
	want := slices.Clone(names)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("shards ran %v together, want each of %v once", all, want)
	}

	ran := run(bazel.TestEnv{Filter: "b.*", XMLOutputFile: filepath.Join(dir, "filtered.xml")})
	slices.Sort(ran)
	if !slices.Equal(ran, []string{"b.five", "b.four", "b.three"}) {
		t.Errorf("--test_filter b.* ran %v", ran)
	}

	_, err, _ := e.run(t, context.Background(), func(o *Options) { o.Bazel = bazel.TestEnv{Filter: "c.*"} })
	var ue *platform.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), `--test_filter "c.*" matches none of the 5 selected tests`) {
		t.Errorf("filter matching nothing: %v", err)
	}
}

// Shards divide what applies to the image, not what the patterns chose:
// tests of another distro never leave a shard empty.
func TestShardsAfterDistro(t *testing.T) {
	e := newEnv(t, platformtest.Options{Distro: "strata-minimal"})
	for _, n := range []string{"a.deb", "b.gen", "c.deb", "d.gen", "e.deb", "f.gen"} {
		tt := register.Test{Name: n, Run: func(cluster.TestCluster) {}}
		if strings.HasSuffix(n, ".deb") {
			tt.Distros = []string{"debian"}
		}
		e.add(t, tt)
	}
	dir := t.TempDir()
	total := 0
	for i := range 2 {
		env := bazel.TestEnv{TotalShards: 2, ShardIndex: i, ShardStatusFile: filepath.Join(dir, "status"+itoa(i)), XMLOutputFile: filepath.Join(dir, itoa(i)+".xml")}
		rep, err, _ := e.run(t, context.Background(), func(o *Options) { o.Bazel = env })
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Tests) == 0 {
			t.Errorf("shard %d ran nothing", i)
		}
		for _, tr := range rep.Tests {
			if strings.HasSuffix(tr.Name, ".deb") {
				t.Errorf("shard %d ran %s on strata-minimal", i, tr.Name)
			}
		}
		total += len(rep.Tests)
	}
	if total != 3 {
		t.Errorf("the shards ran %d tests, want the 3 that apply", total)
	}
}
