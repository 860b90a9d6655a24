package main

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
)

// Every command's every platform flag, with the providers linked into
// kola: a command that starts no machines refuses them all, one that does
// refuses another platform's; each flag is in the help of the commands
// that take it. Nothing starts: the refusal comes before any flight.
func TestEveryPlatformFlagIsUsedOrRefused(t *testing.T) {
	a := &app{providers: platform.Default, tests: register.NewRegistry(), ctx: context.Background(), exit: func(int) { t.Fatal("exit called") }}
	var c cli
	parser, err := a.parser(&c)
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, p := range platform.Default.Providers() {
		platforms = append(platforms, p.Name)
	}
	if len(platforms) < 2 {
		t.Fatalf("providers linked: %v", platforms)
	}
	walked := 0
	for _, cmd := range parser.Model.Leaves(false) {
		name := cmd.Path()
		var help strings.Builder
		if code := (&app{stdout: &help, stderr: &help, providers: platform.Default, tests: register.NewRegistry()}).main([]string{name, "--help"}); code != 0 {
			t.Fatalf("kola %s --help: exit %d", name, code)
		}
		var flags []*kong.Flag
		for _, level := range cmd.AllFlags(false) {
			flags = append(flags, level...)
		}
		for _, f := range flags {
			owner, ok := strings.CutSuffix(groupTitle(f), platformGroupSuffix)
			if !ok {
				continue
			}
			walked++
			args := append([]string{name, "--" + f.Name}, sampleValue(f)...)
			var want string
			if startsMachines[name] {
				if !strings.Contains(help.String(), "--"+f.Name) {
					t.Errorf("kola %s --help does not list --%s", name, f.Name)
				}
				other := platforms[0]
				if other == owner {
					other = platforms[1]
				}
				args = append([]string{"-p", other}, args...)
				want = "is a flag of platform " + owner
			} else {
				want = "starts no machines"
			}
			var out, errOut strings.Builder
			code := (&app{stdout: &out, stderr: &errOut, providers: platform.Default, tests: register.NewRegistry(), ctx: context.Background()}).main(args)
			if code != runner.ExitUsage || !strings.Contains(errOut.String(), want) {
				t.Errorf("kola %s: exit %d, %q; want %d and %q", strings.Join(args, " "), code, errOut.String(), runner.ExitUsage, want)
			}
		}
	}
	for _, cmd := range parser.Model.Leaves(false) {
		var out, errOut strings.Builder
		args := []string{cmd.Path(), "-p", "qemu"}
		if usesPlatform[cmd.Path()] {
			args = append(args, "--help") // parses, and runs nothing
		}
		code := (&app{stdout: &out, stderr: &errOut, providers: platform.Default, tests: register.NewRegistry(), ctx: context.Background()}).main(args)
		if usesPlatform[cmd.Path()] != (code == 0) || !usesPlatform[cmd.Path()] && !strings.Contains(errOut.String(), "does not use a platform") {
			t.Errorf("kola %s: exit %d %s", strings.Join(args, " "), code, errOut.String())
		}
	}
	if walked < 20 {
		t.Errorf("only %d (command, platform flag) pairs walked", walked)
	}
}

func groupTitle(f *kong.Flag) string {
	if f.Group == nil {
		return ""
	}
	return f.Group.Title
}

// sampleValue is a value the flag parses.
func sampleValue(f *kong.Flag) []string {
	switch {
	case f.IsBool():
		return nil
	case f.Enum != "":
		return []string{f.EnumSlice()[0]}
	case f.Target.Type() == reflect.TypeOf(time.Duration(0)):
		return []string{"1m"}
	}
	switch f.Target.Kind() {
	case reflect.Int, reflect.Int64, reflect.Int32:
		return []string{"1"}
	}
	return []string{"x"}
}

func TestTimeoutMustBePositive(t *testing.T) {
	code, _, errOut, _ := kola(t, nil, "run", "-p", "fake", "--timeout=-1s", "basic.ssh")
	if code != runner.ExitUsage || !strings.Contains(errOut, "--timeout -1s: must be positive") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
