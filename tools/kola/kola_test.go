package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-os/strata/core/bazel"
	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
	"github.com/strata-os/strata/core/version"
)

// kola runs the CLI in-process against a fake platform and the given tests
// (the real suites when tests is nil).
func kola(t *testing.T, tests *register.Registry, args ...string) (code int, stdout, stderr string, fake *platformtest.Provider) {
	t.Helper()
	fake = platformtest.New(platformtest.Options{})
	providers := platform.NewRegistry()
	if err := providers.Register(fake.Registration()); err != nil {
		t.Fatal(err)
	}
	if tests == nil {
		tests = register.Default
	}
	var out, errOut strings.Builder
	a := &app{stdout: &out, stderr: &errOut, providers: providers, tests: tests, ctx: context.Background(),
		exit: func(int) { t.Fatal("exit called") }}
	code = a.main(args)
	if live := fake.Live(); len(live) != 0 {
		t.Errorf("kola %v left machines behind: %v", args, live)
	}
	return code, out.String(), errOut.String(), fake
}

func TestListJSON(t *testing.T) {
	code, out, errOut, _ := kola(t, nil, "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var infos []testInfo
	if err := json.Unmarshal([]byte(out), &infos); err != nil {
		t.Fatalf("list --json: %v\n%s", err, out)
	}
	found := map[string]testInfo{}
	for _, i := range infos {
		found[i.Name] = i
	}
	if ssh, ok := found["basic.ssh"]; !ok || ssh.ClusterSize != 1 || strings.Join(ssh.Tags, ",") != "basic,smoke" {
		t.Errorf("basic.ssh: %+v", ssh)
	}
	if n := found["basic.native"]; strings.Join(n.NativeFuncs, ",") != "hostname" {
		t.Errorf("basic.native: %+v", n)
	}
	code, out, _, _ = kola(t, nil, "list", "--tag", "reboot")
	if code != 0 || !strings.Contains(out, "basic.reboot") || strings.Contains(out, "basic.ssh") {
		t.Errorf("list --tag reboot: %d\n%s", code, out)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	bad := register.NewRegistry()
	_ = bad.Register(register.Test{Name: "bad.ignition", Run: func(cluster.TestCluster) {},
		UserData: conf.Ignition(`{"ignition":{"version":"3.4.0"},"systemd":{"units":[{"name":"x.service","enabled":"yes"}]}}`)})
	for _, tc := range []struct {
		tests *register.Registry
		args  []string
		want  string
	}{
		{nil, []string{"run", "-p", "nosuch"}, `unknown platform "nosuch" (known: fake)`},
		{nil, []string{"run", "-p", "fake", "basic.[x"}, `bad test pattern "basic.[x"`},
		{nil, []string{"run", "-p", "fake", "nothing.*"}, `pattern "nothing.*" matches no registered test`},
		{nil, []string{"run", "-p", "fake", "-j", "zero", "basic.ssh"}, `bad -j/--parallel "zero"`},
		{nil, []string{"run", "--timeout", "soon"}, "--timeout"},
		{nil, []string{"frobnicate"}, "unexpected argument frobnicate"},
		{nil, []string{"run", "-p", "fake", "--ssh-proxy", "http://proxy:3128", "basic.ssh"}, `SSH proxy "http://proxy:3128": want socks5://HOST:PORT (or socks5h://), not scheme "http"`},
		{nil, []string{"spawn", "-p", "fake", "--ssh-proxy", "socks5://bastion"}, `SSH proxy "socks5://bastion": no port`},
		{nil, []string{"run", "-p", "fake", "basic.native"}, "--kolet"},
		{bad, []string{"run", "-p", "fake"}, `test "bad.ignition": UserData: ignition (line 1): json: cannot unmarshal string into Go struct field Unit.systemd.units.enabled of type bool`},
		{bad, []string{"list"}, `test "bad.ignition"`},
	} {
		args := tc.args
		if len(args) > 0 && (args[0] == "run" || args[0] == "spawn") {
			// Some cases make their output directory before they fail:
			// not in the package's directory.
			args = append([]string{args[0], "--output-dir", t.TempDir()}, args[1:]...)
		}
		code, _, errOut, _ := kola(t, tc.tests, args...)
		if code != runner.ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("kola %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"run", "--help"}, {"list", "--help"}} {
		code, out, _, _ := kola(t, nil, args...)
		if code != 0 || !strings.Contains(out, "Usage: kola") {
			t.Errorf("kola %v: %d\n%s", args, code, out)
		}
	}
	code, out, _, _ := kola(t, nil, "run", "--help")
	if code != 0 || !strings.Contains(out, "--platform=NAME") || !strings.Contains(out, "fake") || !strings.Contains(out, "-j, --parallel") {
		t.Errorf("run --help lacks the platform list or flags:\n%s", out)
	}
	code, out, _, _ = kola(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "kola ") || !strings.Contains(out, "platform fake") {
		t.Errorf("version: %d %q", code, out)
	}
}

// The parts of the real basic suite the fake platform can host: SSH, exit
// status, reboot, and a native function through a real kolet binary built
// from agent/. (The fake neither runs userdata nor gives each machine its
// own network stack; the qemu tests cover those.)
func TestRunBasicSuite(t *testing.T) {
	kolet := buildKolet(t)
	outDir := t.TempDir()
	code, out, errOut, fake := kola(t, nil, "run", "-p", "fake", "--output-dir", outDir, "--kolet", kolet, "-j", "3", "basic.ssh", "basic.reboot", "basic.native")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "kola: 3 passed, 0 failed, 0 skipped, 0 errors; results in "+filepath.Join(outDir, "fake-")) {
		t.Errorf("summary missing:\n%s", out)
	}
	if len(fake.Created()) != 3 {
		t.Errorf("%d machines created, want 3", len(fake.Created()))
	}
	var rebooted int
	for _, m := range fake.Created() {
		rebooted += m.Reboots()
	}
	if rebooted != 1 {
		t.Errorf("%d reboots, want 1", rebooted)
	}
	var rep runner.Report
	b, err := os.ReadFile(filepath.Join(outDir, "fake-latest", "report.json"))
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("report.json: %v", err)
	}
	for _, tr := range rep.Tests {
		if tr.Name == "basic.native" && !strings.Contains(strings.Join(tr.Output, "\n"), "hostname: ") {
			t.Errorf("kolet's output not in the log: %q", tr.Output)
		}
	}
	var props runner.Properties
	b, _ = os.ReadFile(filepath.Join(outDir, "fake-latest", "properties.json"))
	if err := json.Unmarshal(b, &props); err != nil || strings.Join(props.CommandLine, " ") != "kola run -p fake --output-dir "+outDir+" --kolet "+kolet+" -j 3 basic.ssh basic.reboot basic.native" || props.Options.Parallel != 3 {
		t.Errorf("properties: %v %+v", err, props)
	}
}

type built struct {
	once sync.Once
	path string
	err  error
}

var koletBin, initBin built

// buildKolet builds the static kolet once for the package's tests.
func buildKolet(t *testing.T) string { return buildAgent(t, &koletBin, "kolet") }

// buildInit builds the static strata-init (the minimal image's init) once.
func buildInit(t *testing.T) string { return buildAgent(t, &initBin, "strata-init") }

func buildAgent(t *testing.T, b *built, name string) string {
	t.Helper()
	b.once.Do(func() {
		// Bazel builds them: STRATA_TEST_KOLET, STRATA_TEST_STRATA_INIT.
		if p := os.Getenv("STRATA_TEST_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))); p != "" {
			b.path = bazel.Runfile(p)
			return
		}
		if _, err := exec.LookPath("go"); err != nil {
			b.err = fmt.Errorf("go not in PATH: cannot build %s", name)
			return
		}
		dir, err := os.MkdirTemp("", "kola-test-"+name+"-")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, name)
		build := exec.Command("go", "build", "-ldflags=-s -w", "-o", b.path, "./"+name)
		build.Dir = filepath.Join("..", "..", "agent")
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("build %s: %v\n%s", name, err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func TestFailingTestExits1(t *testing.T) {
	reg := register.NewRegistry()
	_ = reg.Register(register.Test{Name: "x.fails", ClusterSize: 1, Run: func(c cluster.TestCluster) {
		c.MustSSH(c.Machines()[0], "test -e /nonexistent/file")
	}})
	code, out, _, _ := kola(t, reg, "run", "-p", "fake", "--output-dir", t.TempDir())
	if code != runner.ExitFailed || !strings.Contains(out, "--- FAIL: x.fails") || !strings.Contains(out, `"test -e /nonexistent/file" exited with status 1`) {
		t.Errorf("exit %d\n%s", code, out)
	}
}

// TestSIGINTLeavesNothing runs kola in a child process, interrupts it with
// SIGINT while a 3-machine test runs, and checks that the child destroyed
// every machine, removed their files, wrote its reports and exited 130.
func TestSIGINTLeavesNothing(t *testing.T) {
	if os.Getenv("KOLA_SIGINT_CHILD") != "" {
		sigintChild()
		return
	}
	tmp := t.TempDir()
	outDir := t.TempDir()
	all, code := runChild(t, "TestSIGINTLeavesNothing", []string{"KOLA_SIGINT_CHILD=1", "TMPDIR=" + tmp, "KOLA_OUT=" + outDir},
		"three machines up", interrupt(t))
	if code != runner.ExitInterrupt {
		t.Errorf("child exit %d, want %d\n%s", code, runner.ExitInterrupt, all)
	}
	if !strings.Contains(all, "live machines: 0") || !strings.Contains(all, "created machines: 3") {
		t.Errorf("child did not destroy its machines:\n%s", all)
	}
	if !strings.Contains(all, "stopping tests and destroying machines") {
		t.Errorf("no interrupt message:\n%s", all)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "*"))
	if len(left) != 0 {
		t.Errorf("temp files left behind: %v", left)
	}
	if _, err := os.Stat(filepath.Join(outDir, "fake-latest", "junit.xml")); err != nil {
		t.Errorf("reports not written: %v", err)
	}
}

func sigintChild() {
	fake := platformtest.New(platformtest.Options{})
	providers := platform.NewRegistry()
	_ = providers.Register(fake.Registration())
	reg := register.NewRegistry()
	_ = reg.Register(register.Test{Name: "three.machines", ClusterSize: 3, Run: func(c cluster.TestCluster) {
		os.Stdout.WriteString("three machines up\n")
		select {
		case <-c.Context().Done():
		case <-time.After(time.Minute):
		}
	}})
	a := &app{stdout: os.Stdout, stderr: os.Stdout, providers: providers, tests: reg, exit: os.Exit}
	code := a.main([]string{"run", "-p", "fake", "--output-dir", os.Getenv("KOLA_OUT")})
	os.Stdout.WriteString("created machines: " + itoa(len(fake.Created())) + "\n")
	os.Stdout.WriteString("live machines: " + itoa(len(fake.Live())) + "\n")
	os.Exit(code)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// A provider's flag struct shows in --help under its name and its parsed
// values reach the provider's NewFlight.
func TestProviderFlags(t *testing.T) {
	type fakeFlags struct {
		Region string `name:"fake-region" default:"r1" help:"Region of the fake cloud."`
		Size   int    `name:"fake-size" default:"2" help:"Machine size."`
	}
	flags := &fakeFlags{}
	fake := platformtest.New(platformtest.Options{})
	reg := fake.Registration()
	reg.Flags = flags
	var seen fakeFlags
	inner := reg.NewFlight
	reg.NewFlight = func(ctx context.Context, o platform.FlightOptions) (platform.Flight, error) {
		seen = *flags
		return inner(ctx, o)
	}
	providers := platform.NewRegistry()
	if err := providers.Register(reg); err != nil {
		t.Fatal(err)
	}
	tests := register.NewRegistry()
	_ = tests.Register(register.Test{Name: "noop", Run: func(cluster.TestCluster) {}})
	newApp := func(out *strings.Builder) *app {
		return &app{stdout: out, stderr: out, providers: providers, tests: tests, ctx: context.Background(), exit: func(int) {}}
	}

	var help strings.Builder
	if code := newApp(&help).main([]string{"run", "--help"}); code != 0 || !strings.Contains(help.String(), "fake platform") ||
		!strings.Contains(help.String(), `--fake-region="r1"`) || !strings.Contains(help.String(), "Region of the fake cloud.") {
		t.Errorf("help lacks the provider's flags:\n%s", help.String())
	}
	var out strings.Builder
	code := newApp(&out).main([]string{"run", "-p", "fake", "--fake-region", "eu-1", "--fake-size=8", "--output-dir", t.TempDir()})
	if code != 0 || seen.Region != "eu-1" || seen.Size != 8 {
		t.Errorf("exit %d, provider saw %+v\n%s", code, seen, out.String())
	}
	var bad strings.Builder
	if code := newApp(&bad).main([]string{"run", "-p", "fake", "--fake-size=big"}); code != runner.ExitUsage || !strings.Contains(bad.String(), "--fake-size") {
		t.Errorf("bad provider flag: exit %d\n%s", code, bad.String())
	}
}

// kola version names each linked cloud provider's SDK and its version
// (as the build recorded it: Bazel records none).
func TestVersionListsSDKs(t *testing.T) {
	var out strings.Builder
	a := &app{stdout: &out, stderr: &out, providers: platform.Default, tests: register.Default, ctx: context.Background(),
		exit: func(int) { t.Fatal("exit called") }}
	if code := a.main([]string{"version"}); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	for name, sdk := range map[string]string{"azure": "github.com/Azure/azure-sdk-for-go/sdk/azcore", "do": "github.com/digitalocean/godo", "aws": "github.com/aws/aws-sdk-go-v2", "gce": "google.golang.org/api", "openstack": "github.com/gophercloud/gophercloud/v2", "packet": "github.com/packethost/packngo", "esx": "github.com/vmware/govmomi"} {
		want := version.Module(sdk)
		if want == "" {
			want = "version not recorded"
		}
		var line string
		for _, l := range strings.Split(out.String(), "\n") {
			if strings.Contains(l, "platform "+name+" ") {
				line = l
			}
		}
		if !strings.Contains(line, "("+sdk+" "+want+")") {
			t.Errorf("kola version's %s line %q lacks (%s %s):\n%s", name, line, sdk, want, out.String())
		}
	}
	// run --help says what each platform is under its flags: that
	// Equinix Metal's public service is gone, for one.
	out.Reset()
	if code := a.main([]string{"run", "--help"}); code != 0 {
		t.Fatalf("run --help: exit %d", code)
	}
	help := strings.Join(strings.Fields(out.String()), " ")
	if !strings.Contains(help, "packet platform Equinix Metal devices (the public service shut down on 2026-06-30") {
		t.Errorf("run --help does not say the Metal service is gone:\n%s", out.String())
	}
}

// --denylist and --denylist-test: a denied test is skipped with its
// tracker, the others run; a bad file is a usage error naming file and
// line.
func TestDenylistFlags(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "kola-denylist.yaml")
	if err := os.WriteFile(list, []byte("- pattern: basic.reboot\n  tracker: https://tracker.example/7\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut, fake := kola(t, nil, "run", "-p", "fake", "--output-dir", filepath.Join(dir, "out"), "--denylist", list, "--denylist-test", "basic.s?h", "basic.ssh", "basic.reboot")
	if code != 0 || !strings.Contains(out, "kola: 0 passed, 0 failed, 2 skipped, 0 errors") || len(fake.Created()) != 0 {
		t.Errorf("exit %d, %d machines\n%s\n%s", code, len(fake.Created()), out, errOut)
	}
	if !strings.Contains(errOut, "denylist: skipping") || !strings.Contains(errOut, "tracker=https://tracker.example/7") {
		t.Errorf("the skips are not logged:\n%s", errOut)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "out", "fake-latest", "report.json"))
	if !strings.Contains(string(b), `"tracker": "https://tracker.example/7"`) || !strings.Contains(string(b), `denylisted by \"basic.s?h\" (--denylist-test)`) {
		t.Errorf("report.json:\n%s", b)
	}

	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("- pattern: basic.ssh\n  platfroms: [qemu]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--denylist", bad}, bad + `:2: unknown key "platfroms"`},
		{[]string{"--denylist", filepath.Join(dir, "none.yaml")}, "none.yaml"},
		{[]string{"--denylist-test", "basic.[x"}, `--denylist-test "basic.[x"`},
	} {
		code, _, errOut, _ := kola(t, nil, append([]string{"run", "-p", "fake", "basic.ssh"}, tc.args...)...)
		if code != runner.ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("kola %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// --rerun: a test that fails once is rerun and reported flaky, and the
// run passes; --rerun-count must be positive.
func TestRerunFlag(t *testing.T) {
	reg := register.NewRegistry()
	var runs atomic.Int32
	_ = reg.Register(register.Test{Name: "t.flaky", ClusterSize: 1, Run: func(c cluster.TestCluster) {
		if runs.Add(1) == 1 {
			c.Fatal("first time")
		}
	}})
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, _, _ := kola(t, reg, "run", "-p", "fake", "--output-dir", out, "--rerun", "t.flaky")
	if code != 0 || !strings.Contains(stdout, "kola: 0 passed, 0 failed, 0 skipped, 0 errors, 1 flaky") || runs.Load() != 2 {
		t.Errorf("exit %d after %d runs:\n%s", code, runs.Load(), stdout)
	}
	code, _, errOut, _ := kola(t, reg, "run", "-p", "fake", "--output-dir", out, "--rerun", "--rerun-count", "0", "t.flaky")
	if code != runner.ExitUsage || !strings.Contains(errOut, "--rerun-count 0: must be 1 or more") {
		t.Errorf("--rerun-count 0: exit %d, %q", code, errOut)
	}
}

// --sharding splits a selection; --multiply copies it; bad values are
// usage errors naming the flag.
func TestShardingAndMultiplyFlags(t *testing.T) {
	reg := register.NewRegistry()
	for i := range 12 {
		_ = reg.Register(register.Test{Name: fmt.Sprintf("t.n%02d", i), Run: func(cluster.TestCluster) {}})
	}
	total := 0
	for m := 1; m <= 3; m++ {
		code, out, _, _ := kola(t, reg, "run", "-p", "fake", "--output-dir", t.TempDir(), "--sharding", fmt.Sprintf("hash:%d/3", m))
		var passed int
		if i := strings.Index(out, "kola: "); code != 0 || i < 0 {
			t.Fatalf("shard %d/3: exit %d\n%s", m, code, out)
		} else {
			fmt.Sscanf(out[i:], "kola: %d passed", &passed)
		}
		total += passed
	}
	if total != 12 {
		t.Errorf("the three shards ran %d tests, want 12", total)
	}
	code, out, _, _ := kola(t, reg, "run", "-p", "fake", "--output-dir", t.TempDir(), "--multiply", "2", "t.n00", "t.n01")
	if code != 0 || !strings.Contains(out, "kola: 4 passed") || !strings.Contains(out, "t.n01.multiply-2") {
		t.Errorf("--multiply 2: exit %d\n%s", code, out)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--sharding", "hash:4/3"}, `--sharding "hash:4/3"`},
		{[]string{"--multiply", "0"}, "--multiply 0: must be 1 or more"},
	} {
		code, _, errOut, _ := kola(t, reg, append([]string{"run", "-p", "fake"}, tc.args...)...)
		if code != runner.ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("kola %v: exit %d, %q", tc.args, code, errOut)
		}
	}
}

// kola check-console runs the checks on saved logs: each problem with
// file and line, exit 1; a clean log exits 0.
func TestCheckConsole(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "console.txt")
	clean := filepath.Join(dir, "journal.txt")
	os.WriteFile(bad, []byte("[ 0.1] booting\n[ 2.3] Kernel panic - not syncing: Attempted to kill init!\nfoo.service: Failed with result 'exit-code'.\n"), 0o644)
	os.WriteFile(clean, []byte("[ 0.1] booting\n"), 0o644)
	code, out, _, _ := kola(t, nil, "check-console", clean, bad)
	if code != runner.ExitFailed || !strings.Contains(out, bad+":2: kernel-panic on console: [ 2.3] Kernel panic") ||
		!strings.Contains(out, bad+":3: failed-unit") || !strings.Contains(out, "kola: 2 problems in 2 files") {
		t.Errorf("exit %d\n%s", code, out)
	}
	code, out, _, _ = kola(t, nil, "check-console", "--disable", "failed-unit", "--disable", "kernel-panic", bad, clean)
	if code != 0 || !strings.Contains(out, "kola: no problems in 2 files") {
		t.Errorf("with the checks off: exit %d\n%s", code, out)
	}
	code, _, errOut, _ := kola(t, nil, "check-console", "--disable", "kernel-panik", bad)
	if code != runner.ExitUsage || !strings.Contains(errOut, `--disable "kernel-panik": no such check`) {
		t.Errorf("bad check: exit %d %q", code, errOut)
	}
	if code, _, errOut, _ := kola(t, nil, "check-console"); code != runner.ExitUsage || !strings.Contains(errOut, "give the console logs") {
		t.Errorf("no files: exit %d %q", code, errOut)
	}
}

// -E DIR registers DIR's external tests beside the others; a bad one is a
// usage error naming its file and line.
func TestExternalTestsFlag(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my-os")
	exe := filepath.Join(dir, "tests", "kola", "net", "test")
	os.MkdirAll(filepath.Dir(exe), 0o755)
	os.WriteFile(exe, []byte("#!/bin/sh\n## kola:\n##   platforms: qemu\n##   description: the network works\ntrue\n"), 0o755)
	code, out, errOut, _ := kola(t, register.NewRegistry(), "-E", dir, "list", "--json")
	if code != 0 || !strings.Contains(out, `"name": "ext.my-os.net"`) || !strings.Contains(out, `"description": "the network works"`) || !strings.Contains(out, `"qemu"`) {
		t.Errorf("exit %d\n%s\n%s", code, out, errOut)
	}
	os.WriteFile(exe, []byte("#!/bin/sh\n## kola:\n##   platfroms: qemu\n"), 0o755)
	code, _, errOut, _ = kola(t, register.NewRegistry(), "-E", dir, "list")
	if code != runner.ExitUsage || !strings.Contains(errOut, exe+`:3: unknown key "platfroms"`) {
		t.Errorf("bad header: exit %d %q", code, errOut)
	}
	code, _, errOut, _ = kola(t, register.NewRegistry(), "-E", filepath.Join(dir, "nope"), "list")
	if code != runner.ExitUsage || !strings.Contains(errOut, "nope") {
		t.Errorf("missing dir: exit %d %q", code, errOut)
	}
}
