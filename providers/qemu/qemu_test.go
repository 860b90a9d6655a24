package qemu

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/bazel"
	kcluster "github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
)

var agentPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "qemu-test-agent-")
	if err != nil {
		panic(err)
	}
	agentPath = filepath.Join(dir, "strata-init")
	code := func() int {
		defer os.RemoveAll(dir)
		if p := os.Getenv("STRATA_TEST_STRATA_INIT"); p != "" { // Bazel builds it
			agentPath = bazel.Runfile(p)
			return m.Run()
		}
		cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", agentPath, "./strata-init")
		cmd.Dir = filepath.Join("..", "..", "agent")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "build strata-init: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}()
	os.Exit(code)
}

func testFlags(t *testing.T) Flags {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("qemu-system-x86_64 not installed")
	}
	return Flags{Image: "minimal", Agent: agentPath, Memory: 512, CPUs: 1, Accel: "auto", Binary: "qemu-system-x86_64", BootTimeout: 2 * time.Minute}
}

func newTestFlight(t *testing.T, f Flags) platform.Flight {
	t.Helper()
	fl, err := NewFlight(context.Background(), f, platform.FlightOptions{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fl.Destroy(context.Background()) })
	return fl
}

// Through the runner: a guest kernel panic fails its test within seconds
// with the panic line and the console saved, and a guest that never lets
// kola in fails at the boot timeout, console saved too.
func TestRunnerReportsGuestFailures(t *testing.T) {
	f := testFlags(t)
	f.BootTimeout = 20 * time.Second
	reg := register.NewRegistry()
	for _, tt := range []register.Test{
		{Name: "guest.panic", ClusterSize: 1, Run: func(c kcluster.TestCluster) {
			m := c.Machines()[0]
			_, _ = c.SSH(m, "echo c > /proc/sysrq-trigger")
			// The machine is gone: anything more fails at once.
			if _, err := c.SSH(m, "true"); err == nil {
				c.Error("machine still answers after a kernel panic")
			}
		}},
		{Name: "guest.never-up", ClusterSize: 1, Flags: []register.Flag{register.NoSSHKeyInMetadata, register.NoSSHKeyInUserData},
			Run: func(c kcluster.TestCluster) { c.Error("must not run") }},
	} {
		if err := reg.Register(tt); err != nil {
			t.Fatal(err)
		}
	}
	provider := platform.Provider{Name: "qemu", NewFlight: func(ctx context.Context, o platform.FlightOptions) (platform.Flight, error) {
		return NewFlight(ctx, f, o)
	}}
	var progress strings.Builder
	rep, err := runner.Run(context.Background(), runner.Options{
		Criteria: runner.Criteria{Platform: "qemu"}, Provider: provider, Registry: reg,
		Parallel: "2", OutputRoot: t.TempDir(), Progress: &progress,
	})
	t.Log(progress.String())
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*runner.TestReport{}
	for _, tr := range rep.Tests {
		byName[tr.Name] = tr
	}
	p := byName["guest.panic"]
	if p.Status != runner.Failed || !strings.Contains(strings.Join(p.Messages, "\n"), "kernel-panic on console") || p.DurationSeconds > 30 {
		t.Errorf("guest.panic: %s after %.1fs: %q", p.Status, p.DurationSeconds, p.Messages)
	}
	n := byName["guest.never-up"]
	if n.Status != runner.Failed || !strings.Contains(strings.Join(n.Messages, "\n"), "no SSH within the boot timeout of 20s") {
		t.Errorf("guest.never-up: %s %q", n.Status, n.Messages)
	}
	for _, tr := range []*runner.TestReport{p, n} {
		consoles, _ := filepath.Glob(filepath.Join(rep.Dir, tr.Artifacts, "*", "console.txt"))
		if len(consoles) != 1 {
			t.Errorf("%s: consoles %v", tr.Name, consoles)
			continue
		}
		b, _ := os.ReadFile(consoles[0])
		want := "strata-init: ssh ready"
		if tr == p {
			want = "Kernel panic - not syncing"
		}
		if !strings.Contains(string(b), want) {
			t.Errorf("%s console lacks %q:\n%s", tr.Name, want, b)
		}
	}
}

// An extra disk shows up as a block device of its size; Ignition userdata
// reaches the guest under both fw_cfg names, with the flight's key added;
// cloud-config is refused with a message on an image without cloud-init.
func TestDisksAndUserdataDelivery(t *testing.T) {
	f := testFlags(t)
	f.Disks = []string{"64M"}
	fl := newTestFlight(t, f)
	ctx := context.Background()
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "delivery"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Destroy(ctx)
	m, err := c.NewMachine(ctx, conf.Ignition(`{"ignition":{"version":"3.3.0"}}`))
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := m.SSH(ctx, "cat /sys/block/vda/size")
	if err != nil || strings.TrimSpace(string(out)) != "131072" {
		t.Errorf("extra disk: %q %v, want 131072 sectors of 512 bytes", out, err)
	}
	for _, name := range []string{"opt/com.coreos/config", "opt/org.flatcar-linux/config"} {
		out, _, err := m.SSH(ctx, "cat /sys/firmware/qemu_fw_cfg/by_name/"+name+"/raw")
		if err != nil || !strings.Contains(string(out), `"version":"3.3.0"`) || !strings.Contains(string(out), fl.SSHKey().AuthorizedKey) {
			t.Errorf("%s: %q %v", name, out, err)
		}
	}
	_, err = c.NewMachine(ctx, conf.CloudConfig("hostname: x\n"))
	if err == nil || !strings.Contains(err.Error(), "needs an image with cloud-init") {
		t.Errorf("cloud-config on minimal: %v", err)
	}
}

// A wrong flag is the user's mistake, said as such (kola exits 2, not 3),
// naming the flag, before anything is built or booted.
func TestFlagErrorsAreUsageErrors(t *testing.T) {
	base := testFlags(t)
	for _, tc := range []struct {
		mod  func(*Flags)
		want string
	}{
		{func(f *Flags) { f.Image = "/no/such/image" }, "--qemu-image /no/such/image: stat /no/such/image: no such file or directory"},
		{func(f *Flags) { f.Image = "windows" }, `--qemu-image "windows": neither a directory nor an image strata builds`},
		{func(f *Flags) { f.Memory = 64 }, "--qemu-memory 64 MiB is too small"},
		{func(f *Flags) { f.CPUs = -1 }, "--qemu-cpus -1: must be at least 1"},
		{func(f *Flags) { f.BootTimeout = -time.Second }, "--qemu-boot-timeout -1s: must be positive"},
		{func(f *Flags) { f.Disks = []string{"lots"} }, `--qemu-disk "lots": want a size like 512M or 4G`},
		{func(f *Flags) { f.Agent = "/no/such/agent" }, "needs the strata-init binary: /no/such/agent not found (./ci/build.sh builds it into bin/, or pass --qemu-agent)"},
		{func(f *Flags) { f.Image, f.Ignition, f.InitrdBus = "ignition", "/bin/sh", "/no/such/bus" }, "needs the strata-initrd-bus binary: /no/such/bus not found (./ci/build.sh builds it into bin/, or pass --qemu-initrd-bus)"},
	} {
		f := base
		tc.mod(&f)
		_, err := NewFlight(context.Background(), f, platform.FlightOptions{Name: "x"})
		if !platform.IsUsage(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want a usage error with %q", f, err, tc.want)
		}
	}
	// A proxy is for cloud machines: qemu's are on this host.
	_, err := NewFlight(context.Background(), base, platform.FlightOptions{Name: "x", SSHProxy: "socks5://127.0.0.1:1080"})
	if !platform.IsUsage(err) || !strings.Contains(err.Error(), "--ssh-proxy socks5://127.0.0.1:1080: qemu machines run on this host") {
		t.Errorf("--ssh-proxy on qemu: %v", err)
	}
}

// -j auto sizes by what a machine really takes: the guest memory asked
// for and QEMU's own.
func TestMachineMemoryFollowsFlags(t *testing.T) {
	f := testFlags(t)
	f.Memory = 2048
	fl := newTestFlight(t, f)
	mr, ok := fl.(platform.MemoryReporter)
	if !ok {
		t.Fatal("a qemu flight does not say what a machine takes")
	}
	if got := mr.MachineMemoryMiB(); got != 2048+qemuOverheadMiB {
		t.Errorf("%d MiB a machine, want %d", got, 2048+qemuOverheadMiB)
	}
}

// At most --qemu-max-booting machines boot at once; the others wait, and
// their boot timeout starts only with their turn. Booting is watched from
// outside: a machine's console.txt appears as its QEMU starts, and says
// "ssh ready" once it is up.
func TestMaxBooting(t *testing.T) {
	for _, tc := range []struct{ max, want int }{{1, 1}, {3, 2}} {
		f := testFlags(t)
		f.MaxBooting = tc.max
		f.BootTimeout = 30 * time.Second
		fl := newTestFlight(t, f)
		ctx := context.Background()
		out := t.TempDir()
		c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "turns", OutputDir: out})
		if err != nil {
			t.Fatal(err)
		}
		most := 0
		stop, watched := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(watched)
			for {
				booting := 0
				consoles, _ := filepath.Glob(filepath.Join(out, "*", "console.txt"))
				for _, p := range consoles {
					if b, _ := os.ReadFile(p); !strings.Contains(string(b), "ssh ready") {
						booting++
					}
				}
				most = max(most, booting)
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		ms, err := platform.NewMachines(ctx, c, 3, nil)
		close(stop)
		<-watched
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 3 || (tc.max == 1 && most != 1) || (tc.max > 1 && most < tc.want) {
			t.Errorf("--qemu-max-booting %d: %d machines, at most %d seen booting at once, want %d", tc.max, len(ms), most, tc.want)
		}
		c.Destroy(ctx)
	}
}
