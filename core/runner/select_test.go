package runner

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

func TestSelect(t *testing.T) {
	reg := register.NewRegistry()
	run := func(cluster.TestCluster) {}
	for _, tt := range []register.Test{
		{Name: "basic.ssh", Run: run, Tags: []string{"basic", "smoke"}},
		{Name: "basic.reboot", Run: run, Tags: []string{"basic", "slow"}},
		{Name: "cloud.metadata", Run: run, Platforms: []string{"aws", "gce"}},
		{Name: "qemu.only.not", Run: run, ExcludePlatforms: []string{"qemu"}},
		{Name: "arm.only", Run: run, Architectures: []string{"arm64"}},
		{Name: "flatcar.thing", Run: run, Distros: []string{"flatcar"}},
		{Name: "new.feature", Run: run, MinVersion: "3000.0.0"},
		{Name: "old.feature", Run: run, EndVersion: "3000.0.0"},
		{Name: "needs.tpm", Run: run, RequiredTag: "tpm", Tags: []string{"basic"}},
	} {
		if err := reg.Register(tt); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		c    Criteria
		want string
		err  string
	}{
		{"all on qemu", Criteria{Platform: "qemu", Arch: "amd64"}, "basic.reboot basic.ssh flatcar.thing new.feature old.feature", ""},
		{"glob", Criteria{Platform: "qemu", Arch: "amd64", Patterns: []string{"basic.*"}}, "basic.reboot basic.ssh", ""},
		{"two globs", Criteria{Platform: "aws", Arch: "amd64", Patterns: []string{"cloud.*", "*.ssh"}}, "basic.ssh cloud.metadata", ""},
		{"tag", Criteria{Platform: "qemu", Arch: "amd64", Tags: []string{"basic"}}, "basic.reboot basic.ssh", ""},
		{"not tag", Criteria{Platform: "qemu", Arch: "amd64", Tags: []string{"basic", "!slow"}}, "basic.ssh", ""},
		{"arm64", Criteria{Platform: "qemu", Arch: "arm64", Patterns: []string{"arm.*"}}, "arm.only", ""},
		{"distro", Criteria{Platform: "qemu", Arch: "amd64", Distro: "fedora", Patterns: []string{"flatcar.*", "basic.ssh"}}, "basic.ssh", ""},
		{"version new", Criteria{Platform: "qemu", Arch: "amd64", OSVersion: "3100.0.0", Patterns: []string{"*.feature"}}, "new.feature", ""},
		{"version old", Criteria{Platform: "qemu", Arch: "amd64", OSVersion: "2900.1.0", Patterns: []string{"*.feature"}}, "old.feature", ""},
		{"version edge", Criteria{Platform: "qemu", Arch: "amd64", OSVersion: "3000.0.0", Patterns: []string{"*.feature"}}, "new.feature", ""},
		{"required tag asked for", Criteria{Platform: "qemu", Arch: "amd64", Tags: []string{"tpm"}}, "needs.tpm", ""},
		{"required tag with another", Criteria{Platform: "qemu", Arch: "amd64", Tags: []string{"tpm", "basic"}}, "needs.tpm", ""},
		{"required tag not asked for", Criteria{Platform: "qemu", Arch: "amd64", Patterns: []string{"needs.*", "basic.ssh"}}, "basic.ssh", ""},
		{"unknown platform filter", Criteria{Patterns: []string{"cloud.*"}}, "cloud.metadata", ""},
		{"bad glob", Criteria{Platform: "qemu", Patterns: []string{"basic.[a"}}, "", `bad test pattern "basic.[a"`},
		{"no match", Criteria{Platform: "qemu", Patterns: []string{"nope*"}}, "", `pattern "nope*" matches no registered test`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sel, _, err := Select(reg.Tests(), tc.c)
			if tc.err != "" {
				var ue *platform.UsageError
				if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("err %v, want usage error %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range sel {
				names = append(names, s.Name)
			}
			if got := strings.Join(names, " "); got != tc.want {
				t.Errorf("selected %q, want %q", got, tc.want)
			}
		})
	}
}

func TestAutoParallel(t *testing.T) {
	for _, tc := range []struct{ cpus, avail, machine, size, want int }{
		{2, 24000, 1024, 1, 2},
		{16, 4096, 1024, 1, 4},
		{16, 4096, 1024, 3, 1},
		{16, 500, 1024, 1, 1},
		{8, 0, 1024, 1, 8}, // memory unknown
		{8, 1000, 0, 3, 8}, // machines run elsewhere
	} {
		if got := AutoParallel(tc.cpus, tc.avail, tc.machine, tc.size); got != tc.want {
			t.Errorf("AutoParallel(%d cpus, %d MiB, %d MiB/machine, %d machines) = %d, want %d", tc.cpus, tc.avail, tc.machine, tc.size, got, tc.want)
		}
	}
	if n, err := ParseParallel("auto", 1024, 1); err != nil || n < 1 {
		t.Errorf("auto: %d %v", n, err)
	}
	for _, bad := range []string{"0", "-1", "x"} {
		if _, err := ParseParallel(bad, 1024, 1); err == nil {
			t.Errorf("ParseParallel(%q) accepted", bad)
		}
	}
}

func TestExitCode(t *testing.T) {
	for _, tc := range []struct {
		c           Counts
		interrupted bool
		want        int
	}{
		{Counts{Passed: 3, Skipped: 1}, false, ExitOK},
		{Counts{Passed: 3, Failed: 1, Errors: 1}, false, ExitFailed},
		{Counts{Passed: 3, Errors: 1}, false, ExitInfra},
		{Counts{Passed: 1, Skipped: 2}, true, ExitInterrupt},
		{Counts{Failed: 1}, true, ExitInterrupt},
	} {
		r := &Report{Counts: tc.c, Interrupted: tc.interrupted}
		if got := r.ExitCode(); got != tc.want {
			t.Errorf("%+v interrupted=%v: exit %d, want %d", tc.c, tc.interrupted, got, tc.want)
		}
	}
}

// The flight's distro selects tests when the user named none; when
// neither knows it, a test limited to some distros does not run.
func TestFlightDistroSelects(t *testing.T) {
	for _, tc := range []struct {
		flightDistro, given, want string
	}{
		{"strata-minimal", "", "generic"},
		{"debian", "", "debian.only generic"},
		{"", "", "generic"},
		{"", "debian", "debian.only generic"},
		{"strata-minimal", "debian", "debian.only generic"}, // the user's word wins
	} {
		e := newEnv(t, platformtest.Options{Distro: tc.flightDistro})
		e.add(t,
			register.Test{Name: "debian.only", Distros: []string{"debian"}, Run: func(cluster.TestCluster) {}},
			register.Test{Name: "generic", Run: func(cluster.TestCluster) {}},
		)
		rep, err, _ := e.run(t, context.Background(), func(o *Options) { o.Distro = tc.given })
		if err != nil {
			t.Fatal(err)
		}
		var ran []string
		for _, tr := range rep.Tests {
			ran = append(ran, tr.Name)
		}
		if got := strings.Join(ran, " "); got != tc.want {
			t.Errorf("flight distro %q, --distro %q: ran %q, want %q", tc.flightDistro, tc.given, got, tc.want)
		}
	}
}
