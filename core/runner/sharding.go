package runner

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
)

// Shard is one of Count parts of a run's tests (Index from 1), for CI
// systems that spread a run over machines without Bazel: a test's part
// is the FNV-1a hash of its name, so it stays in its part whatever else
// is selected, and the parts of one selection cover it exactly once.
type Shard struct {
	Index, Count int
}

// ParseSharding reads --sharding's hash:M/N (1 <= M <= N); "" is no
// sharding.
func ParseSharding(s string) (Shard, error) {
	if s == "" {
		return Shard{}, nil
	}
	spec, ok := strings.CutPrefix(s, "hash:")
	m, n, ok2 := strings.Cut(spec, "/")
	if !ok || !ok2 {
		return Shard{}, platform.Usagef("--sharding %q: want hash:M/N, such as hash:2/3", s)
	}
	index, err1 := strconv.Atoi(m)
	count, err2 := strconv.Atoi(n)
	if err1 != nil || err2 != nil || count < 1 || index < 1 || index > count {
		return Shard{}, platform.Usagef("--sharding %q: M and N must be integers with 1 <= M <= N", s)
	}
	return Shard{Index: index, Count: count}, nil
}

// shardTests keeps the tests of shard s.
func shardTests(tests []*register.Test, s Shard) []*register.Test {
	if s.Count <= 1 {
		return tests
	}
	var kept []*register.Test
	for _, t := range tests {
		h := fnv.New32a()
		h.Write([]byte(t.Name))
		if int(h.Sum32()%uint32(s.Count)) == s.Index-1 {
			kept = append(kept, t)
		}
	}
	return kept
}

// multiplySuffix joins a test's name and its copy's number (--multiply).
const multiplySuffix = ".multiply-"

// multiply makes n copies of each test, named NAME.multiply-K, to find
// flakes on purpose; each runs in a cluster of its own.
func multiply(tests []*register.Test, n int) []*register.Test {
	if n <= 1 {
		return tests
	}
	var out []*register.Test
	for _, t := range tests {
		for k := 1; k <= n; k++ {
			c := *t
			c.Name = fmt.Sprintf("%s%s%d", t.Name, multiplySuffix, k)
			out = append(out, &c)
		}
	}
	return out
}

// registeredName is the name a test was registered under: a copy's
// original's. The denylist matches it.
func registeredName(name string) string {
	if i := strings.LastIndex(name, multiplySuffix); i > 0 {
		if _, err := strconv.Atoi(name[i+len(multiplySuffix):]); err == nil {
			return name[:i]
		}
	}
	return name
}
