package runner

import (
	"fmt"
	"log/slog"
	"path"
	"strings"

	"github.com/coreos/go-semver/semver"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
)

// Criteria choose the tests of a run.
type Criteria struct {
	// Patterns are globs (path.Match syntax) over test names; none means all.
	Patterns []string
	// Tags: a test must carry every plain tag and none of the "!tag" ones.
	Tags     []string
	Platform string
	Arch     string
	// Distro and OSVersion are the image's. Any empty criterion means
	// unknown, and tests are not filtered by it.
	Distro    string
	OSVersion string
}

// Excluded is a test a pattern matched but the platform, architecture,
// distro, version or tags left out.
type Excluded struct {
	Test   string
	Reason string
}

// Select returns the tests matching c, in name order, and those a pattern
// matched but that do not apply here. A malformed pattern, tag or version is
// a *platform.UsageError, and so is a pattern that matches no test at all.
func Select(tests []*register.Test, c Criteria) ([]*register.Test, []Excluded, error) {
	patterns := c.Patterns
	if len(patterns) == 0 {
		patterns = []string{"*"}
	}
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return nil, nil, platform.Usagef("bad test pattern %q: %v", p, err)
		}
	}
	var include, exclude []string
	for _, t := range c.Tags {
		if neg, ok := strings.CutPrefix(t, "!"); ok {
			if neg == "" {
				return nil, nil, platform.Usagef("bad tag %q: nothing after '!'", t)
			}
			exclude = append(exclude, neg)
		} else if t == "" {
			return nil, nil, platform.Usagef("empty tag")
		} else {
			include = append(include, t)
		}
	}
	var version *semver.Version
	if c.OSVersion != "" {
		v, err := semver.NewVersion(c.OSVersion)
		if err != nil {
			return nil, nil, platform.Usagef("bad OS version %q: %v", c.OSVersion, err)
		}
		version = v
	}

	matched := make([]bool, len(patterns))
	var selected []*register.Test
	var excluded []Excluded
	for _, t := range tests {
		hit := false
		for i, p := range patterns {
			if ok, _ := path.Match(p, t.Name); ok {
				hit, matched[i] = true, true
			}
		}
		if !hit {
			continue
		}
		if reason := exclusion(t, c, include, exclude, version); reason != "" {
			excluded = append(excluded, Excluded{Test: t.Name, Reason: reason})
			continue
		}
		selected = append(selected, t)
	}
	for i, p := range patterns {
		if !matched[i] {
			return nil, nil, platform.Usagef("pattern %q matches no registered test (see kola list)", p)
		}
	}
	return selected, excluded, nil
}

func exclusion(t *register.Test, c Criteria, include, exclude []string, version *semver.Version) string {
	for _, f := range []struct {
		what, value    string
		only, excluded []string
	}{
		{"platform", c.Platform, t.Platforms, t.ExcludePlatforms},
		{"architecture", c.Arch, t.Architectures, t.ExcludeArchitectures},
		{"distro", c.Distro, t.Distros, t.ExcludeDistros},
	} {
		if f.value == "" { // unknown: do not filter
			continue
		}
		if r := allowed(f.what, f.value, f.only, f.excluded); r != "" {
			return r
		}
	}
	for _, tag := range include {
		if !contains(t.Tags, tag) && tag != t.RequiredTag {
			return fmt.Sprintf("lacks tag %q", tag)
		}
	}
	if t.RequiredTag != "" && !contains(include, t.RequiredTag) {
		return fmt.Sprintf("runs only with --tag %s", t.RequiredTag)
	}
	for _, tag := range exclude {
		if contains(t.Tags, tag) {
			return fmt.Sprintf("has excluded tag %q", tag)
		}
	}
	return versionExclusion(t, version)
}

// versionExclusion says why t does not apply to version, or "".
func versionExclusion(t *register.Test, version *semver.Version) string {
	if version == nil {
		return ""
	}
	min, end := t.VersionRange()
	if min != nil && version.LessThan(*min) {
		return fmt.Sprintf("OS version %s is below MinVersion %s", version, min)
	}
	if end != nil && !version.LessThan(*end) {
		return fmt.Sprintf("OS version %s is not below EndVersion %s", version, end)
	}
	return ""
}

// keepForVersion drops the tests whose version range leaves out the
// image's OS version as its flight reports it (the user gave none).
func keepForVersion(tests []*register.Test, version string, log *slog.Logger) ([]*register.Test, error) {
	if version == "" {
		return tests, nil
	}
	v, err := semver.NewVersion(version)
	if err != nil {
		return nil, platform.Usagef("the image's OS version %q: %v (pass --os-version)", version, err)
	}
	var keep []*register.Test
	for _, t := range tests {
		if reason := versionExclusion(t, v); reason != "" {
			log.Info("test does not apply to the image", "test", t.Name, "reason", reason)
			continue
		}
		keep = append(keep, t)
	}
	return keep, nil
}

func allowed(what, value string, only, except []string) string {
	if len(only) > 0 && !contains(only, value) {
		return fmt.Sprintf("%s %s not in %v", what, value, only)
	}
	if contains(except, value) {
		return fmt.Sprintf("%s %s excluded", what, value)
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keepForDistro keeps the tests that apply to the image's distro. When
// it is unknown (a cloud image kola cannot tell), a test limited to some
// distros does not run: it would test what the image may not have.
func keepForDistro(tests []*register.Test, distro string, log *slog.Logger) []*register.Test {
	var keep []*register.Test
	for _, t := range tests {
		reason := ""
		switch {
		case distro != "":
			reason = allowed("distro", distro, t.Distros, t.ExcludeDistros)
		case len(t.Distros) > 0:
			reason = fmt.Sprintf("runs only on %s and the image's distro is unknown (pass --distro)", strings.Join(t.Distros, ", "))
		}
		if reason != "" {
			log.Info("test does not apply to the image", "test", t.Name, "reason", reason)
			continue
		}
		keep = append(keep, t)
	}
	return keep
}
