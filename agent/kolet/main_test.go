package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/register"
)

func TestRun(t *testing.T) {
	reg := register.NewRegistry()
	ran := false
	if err := reg.Register(register.Test{Name: "k.test", Run: func(cluster.TestCluster) {}, NativeFuncs: map[string]register.NativeFunc{
		"ok":   func() error { ran = true; return nil },
		"fail": func() error { return errors.New("disk is full") },
	}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"run", "k.test", "ok"}, 0, ""},
		{[]string{"run", "k.test", "fail"}, 1, "kolet: k.test fail: disk is full"},
		{[]string{"run", "k.test", "nosuch"}, 2, `has no native function "nosuch" (has: fail, ok)`},
		{[]string{"run", "no.test", "ok"}, 2, `no test "no.test"`},
		{[]string{"run"}, 2, "expected"},
		{[]string{"--help"}, 0, ""},
	} {
		var out, errOut strings.Builder
		code := run(tc.args, reg, &out, &errOut)
		if code != tc.code || !strings.Contains(errOut.String(), tc.stderr) {
			t.Errorf("kolet %v: exit %d stderr %q, want %d and %q", tc.args, code, errOut.String(), tc.code, tc.stderr)
		}
	}
	if !ran {
		t.Error("native function did not run")
	}
}

// The real suites link in: kolet knows basic.native.
func TestLinksSuites(t *testing.T) {
	var out, errOut strings.Builder
	if code := run([]string{"run", "basic.native", "hostname"}, register.Default, &out, &errOut); code != 0 {
		t.Errorf("basic.native hostname: exit %d: %s", code, errOut.String())
	}
}
