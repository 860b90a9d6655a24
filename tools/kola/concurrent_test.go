package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/images"
)

// Two kola runs and a kola spawn at once on one machine, sharing what a
// person's runs share: the temporary directory, the output directory,
// the state directory and an image cache that holds no image yet. Both
// runs pass with reports of their own; the image is built once, whole;
// afterwards no QEMU, temporary file or half-built image is left.
func TestQEMUConcurrentRuns(t *testing.T) {
	if os.Getenv("KOLA_CONCURRENT_CHILD") != "" {
		concurrentChild()
		return
	}
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed")
	}
	initBin := buildInit(t)
	cache, tmp, out, state := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	// The packages are shared (fetched once, verified, renamed into
	// place); the images are not built yet.
	if real, err := images.DefaultCacheDir(); err == nil {
		if _, err := os.Stat(filepath.Join(real, "debs")); err == nil {
			os.Symlink(filepath.Join(real, "debs"), filepath.Join(cache, "debs"))
		}
	}
	env := []string{"KOLA_CONCURRENT_CHILD=1", "TMPDIR=" + tmp, "STRATA_CACHE=" + cache, "STRATA_STATE_DIR=" + state}
	common := []string{"-p", "qemu", "--qemu-agent", initBin, "--output-dir", out}
	type child struct {
		*kolaChild
		name string
		up   chan struct{} // closed at its first "machine(s) up"
	}
	start := func(name string, args []string) *child {
		c := &child{name: name, up: make(chan struct{})}
		var once sync.Once
		c.kolaChild = startChild(t, "TestQEMUConcurrentRuns", append(env, "KOLA_ARGS="+strings.Join(args, "\x1f")), 8*time.Minute,
			func(line string, _ *os.Process) {
				if strings.Contains(line, "machine(s) up") {
					once.Do(func() { close(c.up) })
				}
			})
		return c
	}
	runs := []*child{
		start("run-a", append([]string{"run"}, append(common, "conc.*")...)),
		start("run-b", append([]string{"run"}, append(common, "conc.*")...)),
	}
	spawn := start("spawn", append([]string{"spawn"}, common...))
	results := map[string]bool{}
	for _, c := range runs {
		got, code := c.Wait()
		if code != 0 || !strings.Contains(got, "kola: 1 passed, 0 failed") {
			t.Errorf("%s: exit %d\n%s", c.name, code, got)
		}
		m := regexp.MustCompile(`results in (\S+)`).FindStringSubmatch(got)
		if m == nil {
			t.Errorf("%s: no results directory\n%s", c.name, got)
			continue
		}
		results[m[1]] = true
		b, err := os.ReadFile(filepath.Join(m[1], "report.json"))
		var rep struct {
			Tests []struct{ Name, Status string } `json:"tests"`
		}
		if err != nil || json.Unmarshal(b, &rep) != nil || len(rep.Tests) != 1 || rep.Tests[0].Status != "PASS" {
			t.Errorf("%s: report %s: %v\n%s", c.name, m[1], err, b)
		}
	}
	if len(results) != 2 {
		t.Errorf("the two runs' results directories: %v, want two", results)
	}
	select {
	case <-spawn.up:
	case <-time.After(2 * time.Minute):
		t.Errorf("spawn's machine never came up\n%s", spawn.Output())
	}
	spawn.cmd.Process.Signal(syscall.SIGINT)
	spawned, _ := spawn.Wait()
	all := runs[0].Output() + runs[1].Output() + spawned
	if n := strings.Count(all, `msg="building image"`); n != 1 {
		t.Errorf("the minimal image was built %d times, want once\n%s", n, all)
	}
	built, _ := filepath.Glob(filepath.Join(cache, "images", "minimal-*"))
	half, _ := filepath.Glob(filepath.Join(cache, "images", ".build-*"))
	if len(built) != 2 || len(half) != 0 { // the image and its build lock
		t.Errorf("image cache: %v, half-built %v", built, half)
	}
	if n := qemus("conc.", tmp) + qemus("spawn", tmp); n != 0 {
		t.Errorf("%d QEMU processes left", n)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// concurrentChild is one kola of TestQEMUConcurrentRuns: a test of two
// machines that reach each other's private address (a hub of its own).
func concurrentChild() {
	reg := register.NewRegistry()
	_ = reg.Register(register.Test{Name: "conc.pair", ClusterSize: 2, Run: func(c cluster.TestCluster) {
		ms := c.Machines()
		c.MustSSH(ms[1], "(while true; do echo pong | nc -l -p 9000; done) </dev/null >/dev/null 2>&1 &")
		out := c.MustSSHf(ms[0], "for i in $(seq 20); do nc -w 2 %s 9000 </dev/null && exit 0; sleep 0.3; done; exit 1", ms[1].PrivateIP())
		if strings.TrimSpace(string(out)) != "pong" {
			c.Fatalf("the peer's private address answered %q", out)
		}
	}})
	a := &app{stdout: os.Stdout, stderr: os.Stdout, providers: platform.Default, tests: reg, exit: os.Exit}
	os.Exit(a.main(strings.Split(os.Getenv("KOLA_ARGS"), "\x1f")))
}
