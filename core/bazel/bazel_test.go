package bazel

import (
	"os"
	"path/filepath"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    TestEnv
		wantErr string
	}{
		{name: "outside bazel", env: nil, want: TestEnv{}},
		{name: "full protocol", env: map[string]string{
			"XML_OUTPUT_FILE": "/o/test.xml", "TEST_TOTAL_SHARDS": "3", "TEST_SHARD_INDEX": "2",
			"TEST_SHARD_STATUS_FILE": "/o/shard", "TEST_UNDECLARED_OUTPUTS_DIR": "/o/undeclared",
			"TESTBRIDGE_TEST_ONLY": "basic.*", "TEST_TMPDIR": "/t", "TEST_SRCDIR": "/r", "TEST_WORKSPACE": "ws",
		}, want: TestEnv{XMLOutputFile: "/o/test.xml", TotalShards: 3, ShardIndex: 2, ShardStatusFile: "/o/shard",
			UndeclaredOutputsDir: "/o/undeclared", Filter: "basic.*", TmpDir: "/t", SrcDir: "/r", Workspace: "ws"}},
		{name: "bad total", env: map[string]string{"TEST_TOTAL_SHARDS": "two", "TEST_SHARD_INDEX": "0"}, wantErr: `TEST_TOTAL_SHARDS="two": not a positive number`},
		{name: "index out of range", env: map[string]string{"TEST_TOTAL_SHARDS": "2", "TEST_SHARD_INDEX": "2"}, wantErr: `TEST_SHARD_INDEX="2": not a number in [0, 2)`},
		{name: "index missing", env: map[string]string{"TEST_TOTAL_SHARDS": "2"}, wantErr: `TEST_SHARD_INDEX="": not a number in [0, 2)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FromEnv(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("FromEnv = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

// Every test lands in exactly one shard, and the shards' sizes differ by
// at most one.
func TestInShardPartitions(t *testing.T) {
	for _, total := range []int{0, 1, 2, 3, 7} {
		const n = 10
		owners := make([]int, n)
		sizes := map[int]int{}
		shards := max(total, 1)
		for idx := 0; idx < shards; idx++ {
			e := TestEnv{TotalShards: total, ShardIndex: idx}
			for i := 0; i < n; i++ {
				if e.InShard(i) {
					owners[i]++
					sizes[idx]++
				}
			}
		}
		for i, o := range owners {
			if o != 1 {
				t.Errorf("total %d: test %d in %d shards", total, i, o)
			}
		}
		lo, hi := n, 0
		for idx := 0; idx < shards; idx++ {
			lo, hi = min(lo, sizes[idx]), max(hi, sizes[idx])
		}
		if hi-lo > 1 {
			t.Errorf("total %d: shard sizes %v", total, sizes)
		}
	}
}

func TestAckShardingAndRunfile(t *testing.T) {
	dir := t.TempDir()
	status := filepath.Join(dir, "shard")
	if err := (TestEnv{TotalShards: 2, ShardStatusFile: status}).AckSharding(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(status); err != nil {
		t.Errorf("status file not touched: %v", err)
	}
	if err := (TestEnv{TotalShards: 2, ShardStatusFile: filepath.Join(dir, "no", "such", "dir")}).AckSharding(); err == nil {
		t.Error("touching a file in a missing directory did not fail")
	}
	e := TestEnv{SrcDir: "/r", Workspace: "ws"}
	for in, want := range map[string]string{"agent/kolet/kolet_/kolet": "/r/ws/agent/kolet/kolet_/kolet", "/abs/kolet": "/abs/kolet", "": ""} {
		if got := e.Runfile(in); got != want {
			t.Errorf("Runfile(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (TestEnv{}).Runfile("a/b"); got != "a/b" {
		t.Errorf("outside Bazel Runfile = %q", got)
	}
}
