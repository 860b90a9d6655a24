package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
)

// keepRegistry has a test that fails and one that passes.
func keepRegistry() *register.Registry {
	reg := register.NewRegistry()
	_ = reg.Register(register.Test{Name: "keep.fails", ClusterSize: 1, Run: func(c cluster.TestCluster) { c.Fatal("broken on purpose") }})
	_ = reg.Register(register.Test{Name: "keep.passes", ClusterSize: 1, Run: func(c cluster.TestCluster) {}})
	return reg
}

// kolaIn runs kola in-process with providers and tests.
func kolaIn(providers *platform.Registry, tests *register.Registry, args ...string) (int, string) {
	out := &syncBuf{}
	a := &app{stdin: strings.NewReader(""), stdout: out, stderr: out, providers: providers, tests: tests, ctx: context.Background(), exit: func(int) {}}
	code := a.main(args)
	return code, out.String()
}

// --keep-failed on the fake platform: the failed test's machine stays,
// recorded in the state directory; kola machines lists it, kola ssh runs
// commands there (their exit status is kola's), kola rm removes it and
// its record and key.
func TestKeepFailedCommands(t *testing.T) {
	notABazelTest(t)
	fake := platformtest.New(platformtest.Options{CanKeep: true})
	providers := platform.NewRegistry()
	_ = providers.Register(fake.Registration())
	state := t.TempDir()
	code, out := kolaIn(providers, keepRegistry(), "--state-dir", state, "run", "-p", "fake", "--keep-failed", "--output-dir", t.TempDir())
	if code != runner.ExitFailed {
		t.Fatalf("exit %d\n%s", code, out)
	}
	live := fake.Live()
	if len(live) != 1 {
		t.Fatalf("live after the run: %v, want the failed test's machine", live)
	}
	name := live[0]
	for _, want := range []string{"kept 1 machine(s) of failed tests", "kola ssh " + name, "kola rm " + name, "ssh -i " + filepath.Join(state, "keys")} {
		if !strings.Contains(out, want) {
			t.Errorf("run output lacks %q:\n%s", want, out)
		}
	}

	code, out = kolaIn(providers, nil, "--state-dir", state, "machines")
	if code != 0 || !regexp.MustCompile(name+`\s+fake\s+\d+s\s+core@127\.0\.0\.1:\d+\s+kept\s+keep\.fails`).MatchString(out) {
		t.Errorf("kola machines: %d\n%s", code, out)
	}
	code, out = kolaIn(providers, nil, "--state-dir", state, "ssh", name, "--", "echo", "hello from", "kept")
	if code != 0 || out != "hello from kept\n" {
		t.Errorf("kola ssh echo: %d %q", code, out)
	}
	code, _ = kolaIn(providers, nil, "--state-dir", state, "ssh", name[:len(name)-1], "--", "exit 3")
	if code != 3 {
		t.Errorf("kola ssh by prefix, exit 3: kola exited %d", code)
	}
	code, out = kolaIn(providers, nil, "--state-dir", state, "ssh", "nosuch", "--", "true")
	if code != runner.ExitUsage || !strings.Contains(out, `no machine "nosuch"; there are: `+name) {
		t.Errorf("kola ssh nosuch: %d\n%s", code, out)
	}
	code, out = kolaIn(providers, nil, "--state-dir", state, "rm")
	if code != runner.ExitUsage || !strings.Contains(out, "or give --all") {
		t.Errorf("kola rm without names: %d\n%s", code, out)
	}

	code, out = kolaIn(providers, nil, "--state-dir", state, "rm", "--all")
	if code != 0 || !strings.Contains(out, "removed "+name) {
		t.Errorf("kola rm --all: %d\n%s", code, out)
	}
	if live := fake.Live(); len(live) != 0 {
		t.Errorf("live after kola rm: %v", live)
	}
	left, _ := filepath.Glob(filepath.Join(state, "*", "*"))
	if len(left) != 0 {
		t.Errorf("state left after kola rm: %v", left)
	}
	code, out = kolaIn(providers, nil, "--state-dir", state, "machines")
	if code != 0 || !strings.Contains(out, "no kept or spawned machines") {
		t.Errorf("kola machines after rm: %d\n%s", code, out)
	}
}

// Spawned machines are in kola machines and reachable with kola ssh while
// the spawn runs, are not kola rm's, and go from the list with the spawn.
func TestSpawnedMachinesByName(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, out, fake := fakeApp(ctx, nil, "")
	state := t.TempDir()
	done := make(chan int)
	go func() {
		done <- a.main([]string{"--state-dir", state, "spawn", "-p", "fake", "--output-dir", t.TempDir()})
	}()
	waitFor(t, out, "stay up until Ctrl-C")
	name := fake.Live()[0]
	providers := platform.NewRegistry()
	_ = providers.Register(fake.Registration())
	if code, got := kolaIn(providers, nil, "--state-dir", state, "ssh", name, "--", "echo", "ok"); code != 0 || got != "ok\n" {
		t.Errorf("kola ssh to a spawned machine: %d %q", code, got)
	}
	if code, got := kolaIn(providers, nil, "--state-dir", state, "machines"); !strings.Contains(got, "spawned (kola pid") {
		t.Errorf("kola machines: %d\n%s", code, got)
	}
	if code, got := kolaIn(providers, nil, "--state-dir", state, "rm", name); code != runner.ExitUsage || !strings.Contains(got, "belongs to kola spawn") {
		t.Errorf("kola rm of a spawned machine: %d\n%s", code, got)
	}
	cancel()
	<-done
	if code, got := kolaIn(providers, nil, "--state-dir", state, "machines"); !strings.Contains(got, "no kept or spawned machines") {
		t.Errorf("kola machines after the spawn: %d\n%s", code, got)
	}
}

// TestQEMUKeepFailed: a kola run with --keep-failed exits, and the failed
// test's QEMU machine runs on (the passing test's does not); kola ssh
// reaches it from another process and kola rm --all leaves no QEMU and no
// file.
func TestQEMUKeepFailed(t *testing.T) {
	if os.Getenv("KOLA_KEEP_CHILD") != "" {
		a := &app{stdout: os.Stdout, stderr: os.Stdout, providers: platform.Default, tests: keepRegistry(), exit: os.Exit}
		os.Exit(a.main([]string{"--state-dir", os.Getenv("KOLA_STATE"), "run", "-p", "qemu", "--keep-failed",
			"--qemu-agent", os.Getenv("STRATA_INIT"), "--output-dir", os.Getenv("KOLA_OUT"), "keep.*"}))
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed")
	}
	initBin := buildInit(t)
	tmp, state := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp) // kola rm below looks there too
	all, code := runChild(t, "TestQEMUKeepFailed",
		[]string{"KOLA_KEEP_CHILD=1", "TMPDIR=" + tmp, "KOLA_STATE=" + state, "KOLA_OUT=" + t.TempDir(), "STRATA_INIT=" + initBin}, "", nil)
	if code != runner.ExitFailed {
		t.Fatalf("kola exited %d, want %d\n%s", code, runner.ExitFailed, all)
	}
	defer func() {
		// However the test ends, no QEMU stays.
		kolaIn(platform.Default, nil, "--state-dir", state, "rm", "--all")
	}()
	if n := qemus("keep.fails-m", tmp); n != 1 {
		t.Fatalf("%d QEMUs of the failed test after kola exited, want 1\n%s", n, all)
	}
	if n := qemus("keep.passes-m", tmp); n != 0 {
		t.Errorf("%d QEMUs of the passing test after kola exited", n)
	}
	if !strings.Contains(all, "kola ssh keep.fails-m1") {
		t.Errorf("kola did not say how to reach the kept machine:\n%s", all)
	}
	code, out := kolaIn(platform.Default, nil, "--state-dir", state, "ssh", "keep.fails-m1", "--", "cat /proc/sys/kernel/hostname")
	if code != 0 || strings.TrimSpace(out) != "keep-fails-m1" {
		t.Errorf("kola ssh: %d %q", code, out)
	}
	code, out = kolaIn(platform.Default, nil, "--state-dir", state, "rm", "--all")
	if code != 0 || !strings.Contains(out, "removed keep.fails-m1\n") {
		t.Errorf("kola rm --all: %d\n%s", code, out)
	}
	if n := qemus("keep.fails-m", tmp); n != 0 {
		t.Errorf("%d QEMUs after kola rm", n)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("temporary files left after kola rm: %v", left)
	}
}

// waitFor waits up to 30 s for out to hold s.
func waitFor(t *testing.T, out *syncBuf, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in 30 s:\n%s", s, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A command's own flags go to it, with or without --.
func TestSSHCommandFlags(t *testing.T) {
	notABazelTest(t)
	fake := platformtest.New(platformtest.Options{CanKeep: true})
	providers := platform.NewRegistry()
	_ = providers.Register(fake.Registration())
	state := t.TempDir()
	if code, out := kolaIn(providers, keepRegistry(), "--state-dir", state, "run", "-p", "fake", "--keep-failed", "--output-dir", t.TempDir()); code != runner.ExitFailed {
		t.Fatalf("run: %d\n%s", code, out)
	}
	defer kolaIn(providers, nil, "--state-dir", state, "rm", "--all")
	name := fake.Live()[0]
	for _, args := range [][]string{{"ssh", name, "echo", "-n", "x"}, {"ssh", name, "--", "echo", "-n", "x"}} {
		if code, out := kolaIn(providers, nil, append([]string{"--state-dir", state}, args...)...); code != 0 || out != "x" {
			t.Errorf("kola %v: %d %q", args, code, out)
		}
	}
}
