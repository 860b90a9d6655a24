package runner

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/denylist"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

func TestParseSharding(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"", Shard{}, ""},
		{"hash:1/1", Shard{1, 1}, ""},
		{"hash:2/3", Shard{2, 3}, ""},
		{"hash:0/3", Shard{}, "1 <= M <= N"},
		{"hash:4/3", Shard{}, "1 <= M <= N"},
		{"hash:a/3", Shard{}, "1 <= M <= N"},
		{"2/3", Shard{}, "want hash:M/N"},
		{"hash:2", Shard{}, "want hash:M/N"},
	} {
		got, err := ParseSharding(tc.in)
		if tc.err != "" {
			if !platform.IsUsage(err) || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), tc.in) {
				t.Errorf("ParseSharding(%q) = %v, want a usage error with %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseSharding(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
}

// The shards of a selection cover each test exactly once, and a test
// stays in its shard when the selection around it changes.
func TestShardTests(t *testing.T) {
	var tests []*register.Test
	for i := range 60 {
		tests = append(tests, &register.Test{Name: fmt.Sprintf("suite.test%02d", i)})
	}
	seen := map[string]int{}
	where := map[string]int{}
	for m := 1; m <= 4; m++ {
		part := shardTests(tests, Shard{m, 4})
		if len(part) == 0 || len(part) == len(tests) {
			t.Errorf("shard %d/4 has %d of %d tests", m, len(part), len(tests))
		}
		for _, tt := range part {
			seen[tt.Name]++
			where[tt.Name] = m
		}
		// Half the selection: the tests left keep their shard.
		for _, tt := range shardTests(tests[:30], Shard{m, 4}) {
			if where[tt.Name] != m {
				t.Errorf("%s moved from shard %d to %d", tt.Name, where[tt.Name], m)
			}
		}
	}
	for _, tt := range tests {
		if seen[tt.Name] != 1 {
			t.Errorf("%s is in %d shards", tt.Name, seen[tt.Name])
		}
	}
}

// --multiply runs each test N times under names of their own, each in a
// cluster of its own; the denylist still knows them by their name.
func TestMultiply(t *testing.T) {
	e := newEnv(t, platformtest.Options{})
	var runs atomic.Int32
	e.add(t,
		register.Test{Name: "t.race", ClusterSize: 1, Run: func(c cluster.TestCluster) { runs.Add(1) }},
		register.Test{Name: "t.denied", ClusterSize: 1, Run: func(c cluster.TestCluster) { c.Fatal("ran") }},
	)
	entries, err := denylist.Parse("d.yaml", []byte("- pattern: t.denied\n"))
	if err != nil {
		t.Fatal(err)
	}
	rep, err, _ := e.run(t, context.Background(), func(o *Options) {
		o.Multiply = 3
		o.Denylist = denylist.Decide(entries, denylist.Scope{Platform: "fake"})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := byName(rep)
	for k := 1; k <= 3; k++ {
		if r := got[fmt.Sprintf("t.race.multiply-%d", k)]; r == nil || r.Status != Passed {
			t.Errorf("copy %d: %+v", k, r)
		}
		if r := got[fmt.Sprintf("t.denied.multiply-%d", k)]; r == nil || r.Status != Skipped {
			t.Errorf("denied copy %d: %+v", k, r)
		}
	}
	if runs.Load() != 3 || len(e.fake.Created()) != 3 || rep.Counts.Passed != 3 || rep.Counts.Skipped != 3 {
		t.Errorf("%d runs on %d machines, counts %+v", runs.Load(), len(e.fake.Created()), rep.Counts)
	}
	if registeredName("t.race.multiply-2") != "t.race" || registeredName("a.multiply-x") != "a.multiply-x" {
		t.Error("registeredName")
	}
}
