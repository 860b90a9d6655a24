package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
	"github.com/strata-os/strata/images"
)

// The fault matrix on real QEMU machines (the minimal image): a kola run
// hit at a point of its life by a signal or a kill. After each: the exit
// status as documented, the cause named, the console kept, and no QEMU
// process or temporary file left. Run it alone with
// go test -run TestQEMUFaultMatrix ./tools/kola. (The other rows — a guest
// that panics or never answers SSH, a cloud refusing or throttling 20 %
// of its calls, a cluster whose third machine fails — are the qemu
// provider's TestRunnerReportsGuestFailures and every provider's
// conformance suite: chaos, refused, fail-after-create.)
func TestQEMUFaultMatrix(t *testing.T) {
	if os.Getenv("KOLA_FM_CHILD") != "" {
		faultMatrixChild()
		return
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed")
	}
	initBin := buildInit(t)
	for _, tc := range []struct {
		name string
		// at is the line of the child's output that triggers act.
		at  string
		act func(t *testing.T, kola *os.Process, tmp string)
		// emptyCache: the image is built during the run.
		emptyCache bool
		code       int
		says       string // in the child's output
		console    bool   // the held machine's console is in the results
	}{
		{name: "SIGINT while the image builds", at: `msg="building image"`, emptyCache: true, code: runner.ExitInterrupt,
			act: send(syscall.SIGINT), says: "interrupt"},
		{name: "SIGINT while machines boot", at: `msg="starting run"`, code: runner.ExitInterrupt,
			act: send(syscall.SIGINT), says: "interrupt"},
		{name: "SIGTERM during the test", at: "machine up", code: runner.ExitTerminate,
			act: send(syscall.SIGTERM), says: "terminated", console: true},
		{name: "QEMU killed mid-command", at: "machine up", code: runner.ExitFailed,
			act: killQEMU, says: "QEMU exited", console: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tmp, out, cache := t.TempDir(), t.TempDir(), ""
			env := []string{"KOLA_FM_CHILD=1", "TMPDIR=" + tmp}
			if tc.emptyCache {
				cache = t.TempDir()
				if real, err := images.DefaultCacheDir(); err == nil {
					os.Symlink(filepath.Join(real, "debs"), filepath.Join(cache, "debs"))
				}
				env = append(env, "STRATA_CACHE="+cache)
			}
			args := []string{"run", "-p", "qemu", "--qemu-agent", initBin, "--output-dir", out, "fm.hold"}
			output, code := runChild(t, "TestQEMUFaultMatrix", append(env, "KOLA_ARGS="+strings.Join(args, "\x1f")), tc.at, func(p *os.Process) { tc.act(t, p, tmp) })
			if code != tc.code || !strings.Contains(strings.ToLower(output), strings.ToLower(tc.says)) {
				t.Errorf("exit %d (want %d), output saying %q:\n%s", code, tc.code, tc.says, output)
			}
			if n := qemus("fm.hold", tmp); n != 0 {
				t.Errorf("%d QEMU processes left", n)
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
				t.Errorf("temporary files left: %v", left)
			}
			if tc.emptyCache {
				half, _ := filepath.Glob(filepath.Join(cache, "images", ".build-*"))
				if len(half) != 0 {
					t.Errorf("half-built image left: %v", half)
				}
			}
			if tc.console {
				consoles, _ := filepath.Glob(filepath.Join(out, "qemu-latest", "fm.hold", "*", "console.txt"))
				if len(consoles) != 1 {
					t.Errorf("consoles kept: %v", consoles)
				} else if b, _ := os.ReadFile(consoles[0]); len(b) == 0 {
					t.Errorf("console %s is empty", consoles[0])
				}
				var rep struct {
					Tests []struct{ Name, Status string } `json:"tests"`
				}
				b, err := os.ReadFile(filepath.Join(out, "qemu-latest", "report.json"))
				if err != nil || json.Unmarshal(b, &rep) != nil || len(rep.Tests) != 1 {
					t.Errorf("report: %v\n%s", err, b)
				}
			}
		})
	}

	// kola itself killed: its machines die with it (the kernel's parent
	// death signal), and the next run takes away what it left in the
	// temporary directory.
	t.Run("kola killed", func(t *testing.T) {
		tmp, out := t.TempDir(), t.TempDir()
		env := []string{"KOLA_FM_CHILD=1", "TMPDIR=" + tmp}
		args := []string{"run", "-p", "qemu", "--qemu-agent", initBin, "--output-dir", out, "fm.hold"}
		_, code := runChild(t, "TestQEMUFaultMatrix", append(env, "KOLA_ARGS="+strings.Join(args, "\x1f")), "machine up", func(p *os.Process) { p.Kill() })
		if code != -1 {
			t.Errorf("kola killed exited %d", code)
		}
		deadline := time.Now().Add(10 * time.Second)
		for qemus("fm.hold", tmp) != 0 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		if n := qemus("fm.hold", tmp); n != 0 {
			t.Errorf("%d QEMU processes outlived kola", n)
		}
		args = []string{"run", "-p", "qemu", "--qemu-agent", initBin, "--output-dir", out, "fm.quick"}
		if output, code := runChild(t, "TestQEMUFaultMatrix", append(env, "KOLA_ARGS="+strings.Join(args, "\x1f")), "", nil); code != 0 {
			t.Fatalf("the next run: exit %d\n%s", code, output)
		}
		if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
			t.Errorf("temporary files the killed run left are still there after the next: %v", left)
		}
	})
}

func send(s syscall.Signal) func(*testing.T, *os.Process, string) {
	return func(t *testing.T, p *os.Process, _ string) {
		if err := p.Signal(s); err != nil {
			t.Errorf("signal the child: %v", err)
		}
	}
}

// killQEMU kills the held machine's QEMU with SIGKILL while the test's
// SSH command runs on it.
func killQEMU(t *testing.T, _ *os.Process, tmp string) {
	out, _ := exec.Command("pgrep", "-f", "qemu-system.*-name fm.hold").Output()
	killed := 0
	for _, pid := range strings.Fields(string(out)) {
		cmdline, _ := os.ReadFile("/proc/" + pid + "/cmdline")
		if n, err := strconv.Atoi(pid); err == nil && strings.Contains(string(cmdline), tmp+string(filepath.Separator)) {
			syscall.Kill(n, syscall.SIGKILL)
			killed++
		}
	}
	if killed != 1 {
		t.Errorf("killed %d QEMUs, want 1", killed)
	}
}

// faultMatrixChild is the kola of one row: fm.hold says its machine is
// up, then holds an SSH command on it; fm.quick just passes.
func faultMatrixChild() {
	reg := register.NewRegistry()
	_ = reg.Register(register.Test{Name: "fm.hold", ClusterSize: 1, Run: func(c cluster.TestCluster) {
		os.Stdout.WriteString("machine up\n")
		c.MustSSH(c.Machines()[0], "echo holding; sleep 120")
	}})
	_ = reg.Register(register.Test{Name: "fm.quick", ClusterSize: 1, Run: func(c cluster.TestCluster) { c.MustSSH(c.Machines()[0], "true") }})
	a := &app{stdout: os.Stdout, stderr: os.Stdout, providers: platform.Default, tests: reg, exit: os.Exit}
	os.Exit(a.main(strings.Split(os.Getenv("KOLA_ARGS"), "\x1f")))
}
