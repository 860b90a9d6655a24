package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
)

// TestQEMUSIGINTLeavesNothing interrupts kola with SIGINT in the middle of
// a 3-machine test on real QEMU machines, and checks that it exits 130
// with its reports written, no QEMU process left and no temporary file.
func TestQEMUSIGINTLeavesNothing(t *testing.T) {
	if os.Getenv("KOLA_QEMU_SIGINT_CHILD") != "" {
		qemuSigintChild()
		return
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed")
	}
	initBin := buildInit(t)
	tmp, outDir := t.TempDir(), t.TempDir()
	all, code := runChild(t, "TestQEMUSIGINTLeavesNothing",
		[]string{"KOLA_QEMU_SIGINT_CHILD=1", "TMPDIR=" + tmp, "KOLA_OUT=" + outDir, "STRATA_INIT=" + initBin},
		"three machines up", func(p *os.Process) {
			if running := qemus("sigint.three-m", tmp); running != 3 {
				t.Errorf("%d QEMUs running before the interrupt, want 3", running)
			}
			interrupt(t)(p)
		})
	if code != runner.ExitInterrupt {
		t.Errorf("kola exited %d, want %d\n%s", code, runner.ExitInterrupt, all)
	}
	if n := qemus("sigint.three-m", tmp); n != 0 {
		t.Errorf("%d QEMU processes left", n)
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if _, err := os.Stat(filepath.Join(outDir, "qemu-latest", "report.json")); err != nil {
		t.Errorf("no report: %v", err)
	}
	consoles, _ := filepath.Glob(filepath.Join(outDir, "qemu-latest", "sigint.three", "*", "console.txt"))
	if len(consoles) != 3 {
		t.Errorf("consoles saved: %v", consoles)
	}
}

// qemus counts the QEMU processes whose -name starts with prefix and
// whose files are under dir (the child kola's TMPDIR, where its clusters
// live): another run of this test on the machine (a go test beside a
// bazel test) has QEMUs of the same names.
func qemus(prefix, dir string) int {
	out, _ := exec.Command("pgrep", "-f", "qemu-system.*-name "+prefix).Output()
	n := 0
	for _, pid := range strings.Fields(string(out)) {
		// The whole command line: pgrep -a cuts long ones (Bazel's
		// temporary paths are long).
		cmdline, err := os.ReadFile("/proc/" + pid + "/cmdline")
		if err == nil && strings.Contains(string(cmdline), dir+string(filepath.Separator)) {
			n++
		}
	}
	return n
}

func qemuSigintChild() {
	reg := register.NewRegistry()
	_ = reg.Register(register.Test{Name: "sigint.three", ClusterSize: 3, Run: func(c cluster.TestCluster) {
		os.Stdout.WriteString("three machines up\n")
		<-c.Context().Done()
	}})
	a := &app{stdout: os.Stdout, stderr: os.Stdout, providers: platform.Default, tests: reg, exit: os.Exit}
	os.Exit(a.main([]string{"run", "-p", "qemu", "--qemu-agent", os.Getenv("STRATA_INIT"), "--output-dir", os.Getenv("KOLA_OUT"), "sigint.three"}))
}

// External tests on real QEMU machines (the minimal image): the data
// directory and environment arrive, the test runs as root, exit 77
// skips, a failure carries the test's stderr, and a test that asks for
// reboots (autopkgtest-reboot) resumes after each at its mark; a machine
// is shaped as its metadata asks (memory, cards, kernel arguments), and a
// test asking what the platform cannot give is skipped saying why.
func TestQEMUExternalTests(t *testing.T) {
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed")
	}
	initBin := buildInit(t)
	dir := filepath.Join(t.TempDir(), "myos")
	for name, content := range map[string]string{
		"tests/kola/data-env/test": "#!/bin/sh\n## kola:\n##   timeoutMin: 3\nset -e\n" +
			`test "$(cat "$KOLA_EXT_DATA/expected")" = hello && test "$KOLA_TEST" = ext.myos.data-env && test "$(id -u)" = 0` + "\n",
		"tests/kola/data-env/data/expected": "hello\n",
		"tests/kola/checks/skips":           "#!/bin/sh\necho 'needs a TPM' >&2\nexit 77\n",
		"tests/kola/checks/fails":           "#!/bin/sh\necho 'the widget is broken' >&2\nexit 1\n",
		"tests/kola/checks/kola.json":       `{"timeoutMin": 3}`,
		// Two tests that share one machine; one may not reboot it.
		"tests/kola/shared/kola.json": `{"exclusive": false, "timeoutMin": 2}`,
		"tests/kola/shared/a":         "#!/bin/sh\necho shared a > /root/shared-a\n",
		"tests/kola/shared/b":         "#!/bin/sh\nset -e\ntest -f /root/shared-a\n/tmp/autopkgtest-reboot never\n",
		// autopkgtest's reboot protocol, twice: the test resumes at
		// each mark (kola checks the boot ID changed; the minimal image
		// keeps nothing across a reboot for the test to compare).
		"tests/kola/reboots/test": "#!/bin/sh\nset -e\n" +
			`case "${AUTOPKGTEST_REBOOT_MARK:-}" in` + "\n" +
			`"") /tmp/autopkgtest-reboot one ;;` + "\n" +
			`one) /tmp/autopkgtest-reboot two ;;` + "\n" +
			`two) echo "rebooted twice" ;;` + "\n" +
			`*) echo "unexpected mark $AUTOPKGTEST_REBOOT_MARK" >&2; exit 1 ;;` + "\nesac\n",
		// A machine shaped as its metadata asks; one the platform
		// cannot give is skipped, saying why.
		"tests/kola/shaped/kola.json": `{"minMemory": 768, "additionalNics": 1, "appendKernelArgs": "strata.ext=shaped", "requiredHostPorts": [2049]}`,
		"tests/kola/shaped/test": "#!/bin/sh\nset -e\ngrep -q ' strata.ext=shaped' /proc/cmdline\n" +
			`test "$(ls /sys/class/net | grep -cv '^lo$')" = 3` + "\n" +
			`test "$(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo)" -gt 600000` + "\n",
		// The first boot's own arguments, gone after its reboot.
		"tests/kola/firstboot/test": "#!/bin/sh\n## kola:\n##   appendFirstbootKernelArgs: strata.ext=first\nset -e\n" +
			`case "${AUTOPKGTEST_REBOOT_MARK:-}" in` + "\n" +
			`"") grep -q ' strata.ext=first' /proc/cmdline; /tmp/autopkgtest-reboot after ;;` + "\n" +
			`after) ! grep -q 'strata.ext=first' /proc/cmdline; echo "first boot's arguments gone" ;;` + "\nesac\n",
	} {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		mode := os.FileMode(0o755)
		if strings.Contains(name, "/data/") || strings.HasSuffix(name, ".json") {
			mode = 0o644
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	var stdout, stderr strings.Builder
	a := &app{stdout: &stdout, stderr: &stderr, providers: platform.Default, tests: register.NewRegistry(), exit: func(int) { t.Fatal("exit called") }}
	code := a.main([]string{"-E", dir, "run", "-p", "qemu", "--qemu-agent", initBin, "--output-dir", out, "ext.*"})
	if code != runner.ExitFailed || !strings.Contains(stdout.String(), "kola: 4 passed, 2 failed, 1 skipped, 0 errors") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	b, _ := os.ReadFile(filepath.Join(out, "qemu-latest", "report.json"))
	if !strings.Contains(string(b), "the widget is broken") || !strings.Contains(string(b), "skipped: needs a TPM") ||
		!strings.Contains(string(b), "rebooted twice") || !strings.Contains(string(b), `asked for a reboot (mark \"two\")`) ||
		!strings.Contains(string(b), `"name": "shared-machine-1/ext.myos.shared.b"`) || !strings.Contains(string(b), "may not reboot it") ||
		!strings.Contains(string(b), "first boot's arguments gone") {
		t.Errorf("report.json:\n%s", b)
	}
}
