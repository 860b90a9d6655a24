package runner

import (
	"fmt"
	"path"

	"github.com/strata-os/strata/core/bazel"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
)

// bazelFilter narrows the selected tests (in name order) to Bazel's
// --test_filter, a glob over test names.
func bazelFilter(tests []*register.Test, env bazel.TestEnv) ([]*register.Test, error) {
	if env.Filter != "" {
		if _, err := path.Match(env.Filter, ""); err != nil {
			return nil, platform.Usage(fmt.Errorf("--test_filter %q: %w", env.Filter, err))
		}
		var kept []*register.Test
		for _, t := range tests {
			if ok, _ := path.Match(env.Filter, t.Name); ok {
				kept = append(kept, t)
			}
		}
		if len(kept) == 0 {
			return nil, platform.Usage(fmt.Errorf("--test_filter %q matches none of the %d selected tests", env.Filter, len(tests)))
		}
		tests = kept
	}
	return tests, nil
}

// bazelShard keeps this shard's share of the tests and tells Bazel the
// runner shards.
func bazelShard(tests []*register.Test, env bazel.TestEnv) ([]*register.Test, error) {
	if err := env.AckSharding(); err != nil {
		return nil, platform.Infra("", err)
	}
	var shard []*register.Test
	for i, t := range tests {
		if env.InShard(i) {
			shard = append(shard, t)
		}
	}
	return shard, nil
}
