package qemu

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
)

// The provider contract, against real QEMU booting the minimal image.
func TestConformance(t *testing.T) {
	f := testFlags(t)
	local := "QEMU runs here: there is no cloud API to refuse a launch, lose an answer or throttle"
	platformtest.Conformance(t, platformtest.Target{
		Start: func(t *testing.T) platformtest.Backend { return &qemuBackend{flags: f} },
		Boots: true,
		Skip: map[string]string{
			platformtest.Refused:         local,
			platformtest.FailAfterCreate: local,
			platformtest.LostAnswer:      local,
			platformtest.Chaos:           local,
			platformtest.GC: "machines are kola's child processes, killed with it even by SIGKILL, and the next flight removes a dead kola's " +
				"temporary files: nothing outlives a run for GC to find",
		},
		Running:    checkPrivateNetworkAndReboot,
		RemoveKept: RemoveKept,
	})
}

type qemuBackend struct{ flags Flags }

func (b *qemuBackend) NewFlight(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error) {
	return NewFlight(ctx, b.flags, opts)
}

// Leftovers are this process's QEMU children and the cluster temp
// directories it owns.
func (b *qemuBackend) Leftovers() []string {
	var left []string
	me := strconv.Itoa(os.Getpid())
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		st, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(st)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || !strings.Contains(s[:i], "(qemu-system") {
			continue
		}
		if fields := strings.Fields(s[i+1:]); len(fields) > 1 && fields[1] == me && fields[0] != "Z" {
			left = append(left, "process "+filepath.Base(filepath.Dir(p)))
		}
	}
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, d := range dirs {
		if owner, err := os.ReadFile(filepath.Join(d, "owner.pid")); err == nil && strings.TrimSpace(string(owner)) == me {
			left = append(left, "tempdir "+d)
		}
	}
	return left
}

// MarkConsole: the minimal image's init says on the console when the
// machine is ready.
func (b *qemuBackend) MarkConsole(string) string { return "strata-init: ssh ready" }

// InterruptNextCreate cancels half a second into the create: QEMU runs
// and the guest is booting (its kernel alone takes two seconds here, and
// the machine answers SSH after about three).
func (b *qemuBackend) InterruptNextCreate(cancel func()) {
	time.AfterFunc(500*time.Millisecond, cancel)
}

// checkPrivateNetworkAndReboot: the machines reach each other over TCP on
// the private network, one reboots, and its console streams to the output
// directory while it runs.
func checkPrivateNetworkAndReboot(t *testing.T, ctx context.Context, ms []platform.Machine) {
	for _, m := range ms {
		stdout, _, err := m.SSH(ctx, "hostname; cat /proc/sys/kernel/random/boot_id")
		if err != nil || !strings.HasPrefix(string(stdout), m.(*machine).hostname()+"\n") {
			t.Errorf("%s: %q %v", m.ID(), stdout, err)
		}
	}
	server := ms[2]
	if _, _, err := server.SSH(ctx, "(while true; do echo pong-from-$(hostname) | nc -l -p 9000; done) </dev/null >/dev/null 2>&1 &"); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:2] {
		var got string
		for i := 0; i < 20 && !strings.Contains(got, "pong"); i++ {
			stdout, _, _ := m.SSH(ctx, "nc -w 2 "+server.PrivateIP()+" 9000 </dev/null")
			got = string(stdout)
			time.Sleep(200 * time.Millisecond)
		}
		if strings.TrimSpace(got) != "pong-from-"+server.(*machine).hostname() {
			t.Errorf("%s -> %s:9000 got %q", m.ID(), server.PrivateIP(), got)
		}
	}
	if err := ms[0].Reboot(ctx); err != nil {
		t.Errorf("reboot: %v", err)
	}
}
