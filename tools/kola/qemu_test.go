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
	all, err := interruptChild(t, "TestQEMUSIGINTLeavesNothing",
		[]string{"KOLA_QEMU_SIGINT_CHILD=1", "TMPDIR=" + tmp, "KOLA_OUT=" + outDir, "STRATA_INIT=" + initBin},
		func() {
			if running := qemus("sigint.three-m", tmp); running != 3 {
				t.Errorf("%d QEMUs running before the interrupt, want 3", running)
			}
		})
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != runner.ExitInterrupt {
		t.Errorf("kola exited %v, want %d\n%s", err, runner.ExitInterrupt, all)
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
	out, _ := exec.Command("pgrep", "-a", "-f", "qemu-system.*-name "+prefix).Output()
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, dir+string(filepath.Separator)) {
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
