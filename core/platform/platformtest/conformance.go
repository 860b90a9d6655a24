package platformtest

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
)

// The properties of the conformance suite, by the names its subtests and
// Target.Skip use.
const (
	Lifecycle       = "lifecycle"
	KeySwitches     = "key-switches"
	Refused         = "refused"
	FailAfterCreate = "fail-after-create"
	LostAnswer      = "lost-answer"
	Interrupt       = "interrupt"
	Chaos           = "chaos"
	GC              = "gc"
	AdditionalDisks = "additional-disks"
	ReusedName      = "reused-name"
	Keep            = "keep"
	Secrets         = "secrets"
)

// Target is a provider as the conformance suite sees it: how to get a
// fresh backend (the provider's simulator, or the real thing where it is
// local, like QEMU) and which properties do not apply, with why.
type Target struct {
	// Start returns a fresh backend for one property; it registers its
	// own cleanup with t.
	Start func(t *testing.T) Backend
	// Boots says machines really boot, so the suite also checks SSH.
	Boots bool
	// Skip names properties that do not apply and why; the suite skips
	// them saying so. A property that applies needs the backend to have
	// the means to check it (the optional interfaces below), or it fails
	// naming what is missing.
	Skip map[string]string
	// Timeout bounds each property (default 3 minutes).
	Timeout time.Duration
	// Running, if set, runs the provider's own checks on the lifecycle's
	// three machines while they run (private network, reboot): the suite
	// boots them once for both.
	Running func(t *testing.T, ctx context.Context, ms []platform.Machine)
	// RemoveKept is the provider's (platform.Provider.RemoveKept); nil
	// for a provider that does not keep machines, which skips the keep
	// property.
	RemoveKept func(ctx context.Context, m platform.KeptMachine) (bool, error)
	// Secret is the account's secret the backend's flights sign in with
	// (a token, a password, a line of a private key); the secrets
	// property checks it never shows. "" skips the property.
	Secret string
}

// Backend is where a provider's machines live during the suite.
type Backend interface {
	NewFlight(ctx context.Context, opts platform.FlightOptions) (platform.Flight, error)
	// Leftovers lists, one "kind id" each, what the flights made that the
	// backend still holds: instances not terminated, key pairs, disks,
	// processes, temporary files. A terminated instance a cloud still
	// lists for a while is not a leftover. What belongs to a flight
	// rather than to a cluster (its key pair, an Azure flight's resource
	// group and network) has the kind "key" or starts "flight ", so the
	// suite can tell what a destroyed cluster must not leave.
	Leftovers() []string
}

// Inspector is a backend that can say what a cloud was given.
type Inspector interface {
	// Instance returns what the backend holds of an instance.
	Instance(id string) (Instance, bool)
	// Launched lists every instance the backend made, in order, whether
	// it still exists or not.
	Launched() []string
}

// Instance is what an instance was given.
type Instance struct {
	UserData []byte
	// SSHKeys are the keys given through the cloud's own metadata.
	SSHKeys []string
}

// Faulty is a backend with the shared fault engine.
type Faulty interface {
	Faults() *fault.Engine
	// Calls names the backend's calls the suite aims faults at.
	Calls() Calls
}

// Calls are a backend's names for calls, as its fault engine sees them.
type Calls struct {
	// Create makes an instance (EC2's RunInstances).
	Create string
	// Read reads an instance back while it starts (DescribeInstances).
	Read string
}

// Interrupter is a backend without a fault engine that can still say
// when a create is under way.
type Interrupter interface {
	// InterruptNextCreate calls cancel while the next machine is being
	// created.
	InterruptNextCreate(cancel func())
}

// Consoles is a backend whose machines' consoles the suite can check.
type Consoles interface {
	// MarkConsole returns a line the console of machine id holds (setting
	// it where the backend is simulated).
	MarkConsole(id string) string
}

// Collector is a backend whose provider garbage-collects.
type Collector interface {
	// Kinds are the kinds of resource GC handles.
	Kinds() []string
	// Plant makes a resource of kind, strata's (tagged as GC selects) or
	// someone else's, made at created; it returns the ID GC reports it by.
	Plant(t *testing.T, kind string, ours bool, created time.Time) string
	// Exists reports whether a planted resource is still there.
	Exists(kind, id string) bool
	// GC runs the provider's garbage collection.
	GC(ctx context.Context, o cloud.GCOptions) ([]cloud.GCItem, error)
}

// Conformance runs every property of the provider contract against the
// target. A provider that passes it is done with its contract; one that
// does not fails the subtest of the property it breaks.
func Conformance(t *testing.T, target Target) {
	if target.Timeout == 0 {
		target.Timeout = 3 * time.Minute
	}
	for _, p := range []struct {
		name string
		run  func(*testing.T, Target, Backend, context.Context)
	}{
		{Lifecycle, testLifecycle},
		{KeySwitches, testKeySwitches},
		{Refused, testRefused},
		{FailAfterCreate, testFailAfterCreate},
		{LostAnswer, testLostAnswer},
		{Interrupt, testInterrupt},
		{Chaos, testChaos},
		{GC, testGC},
		{AdditionalDisks, testAdditionalDisks},
		{ReusedName, testReusedName},
		{Keep, testKeep},
		{Secrets, testSecrets},
	} {
		t.Run(p.name, func(t *testing.T) {
			if why, ok := target.Skip[p.name]; ok {
				t.Skipf("does not apply: %s", why)
			}
			ctx, cancel := context.WithTimeout(context.Background(), target.Timeout)
			defer cancel()
			b := target.Start(t)
			p.run(t, target, b, ctx)
		})
	}
}

// need returns the backend as the interface a property needs, or fails
// the property naming it.
func need[I any](t *testing.T, b Backend, what string) I {
	t.Helper()
	i, ok := b.(I)
	if !ok {
		t.Fatalf("the backend (%T) cannot check this property: implement platformtest.%s, or list the property in Target.Skip with why it does not apply", b, what)
	}
	return i
}

// startFlight starts a flight whose destruction, and the absence of leftovers
// after it, the test checks at its end.
func startFlight(t *testing.T, ctx context.Context, b Backend) platform.Flight {
	t.Helper()
	f, err := b.NewFlight(ctx, platform.FlightOptions{Name: "conformance", OutputDir: t.TempDir(), Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("new flight: %v", err)
	}
	t.Cleanup(func() {
		dctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := f.Destroy(dctx); err != nil {
			t.Errorf("destroy flight: %v", err)
		}
		if left := b.Leftovers(); len(left) > 0 {
			t.Errorf("left behind after the flight was destroyed: %v", left)
		}
	})
	return f
}

// script is the userdata the suite sends: a marker, and a variable the
// provider must substitute.
const script = "#!/bin/sh\necho strata-conformance private=$private_ipv4\n"

// Three machines made at once: distinct IDs and addresses, the userdata
// saved as sent, the flight's key in it and in the cloud's metadata, the
// provider's variables substituted, the console collected; destroying the
// cluster twice is fine, and nothing is left once the flight is gone.
func testLifecycle(t *testing.T, target Target, b Backend, ctx context.Context) {
	f := startFlight(t, ctx, b)
	out := t.TempDir()
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "lifecycle", OutputDir: out})
	if err != nil {
		t.Fatalf("new cluster: %v", err)
	}
	fb, faulty := b.(Faulty)
	if faulty {
		// Slow creates, so that overlapping ones are seen to overlap.
		fb.Faults().Set(fault.Rule{Call: fb.Calls().Create, Effect: fault.Delay, Latency: 50 * time.Millisecond})
	}
	ms, err := platform.NewMachines(ctx, c, 3, conf.Script(script))
	if err != nil {
		t.Fatal(err)
	}
	if faulty {
		fb.Faults().Set()
		if n := fb.Faults().MaxInFlight(fb.Calls().Create); n < 2 {
			t.Errorf("at most %d %s calls were under way at once: the provider makes a cluster's machines one after another", n, fb.Calls().Create)
		}
	}
	checkMachines(t, f, c, ms, out)
	checkDelivery(t, b, f, ms, out, true, true)
	if target.Boots {
		for _, m := range ms {
			if stdout, _, err := m.SSH(ctx, "echo up"); err != nil || strings.TrimSpace(string(stdout)) != "up" {
				t.Errorf("SSH to %s: %q, %v", m.ID(), stdout, err)
			}
		}
	}
	if target.Running != nil {
		target.Running(t, ctx, ms)
	}
	if cons, ok := b.(Consoles); ok {
		for _, m := range ms {
			want := cons.MarkConsole(m.ID())
			if got := m.ConsoleOutput(ctx); !strings.Contains(got, want) {
				t.Errorf("console of %s lacks %q:\n%s", m.ID(), want, got)
			}
		}
	} else {
		t.Errorf("the backend (%T) cannot check consoles: implement platformtest.Consoles", b)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Fatalf("destroy cluster: %v", err)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Errorf("destroy cluster a second time: %v", err)
	}
	if n := len(c.Machines()); n != 0 {
		t.Errorf("%d machines in the cluster after destroy", n)
	}
	if left := b.Leftovers(); !onlyFlightWide(left) {
		t.Errorf("left behind after the cluster was destroyed: %v", left)
	}
}

// onlyFlightWide reports whether what is left belongs to the flight (its
// key pair, its network), not to the destroyed cluster.
func onlyFlightWide(left []string) bool {
	for _, l := range left {
		if !strings.HasPrefix(l, "key ") && !strings.HasPrefix(l, "flight ") {
			return false
		}
	}
	return true
}

func checkMachines(t *testing.T, f platform.Flight, c platform.Cluster, ms []platform.Machine, out string) {
	t.Helper()
	ids := map[string]bool{}
	private := map[string]bool{}
	for _, m := range ms {
		if m.ID() == "" || ids[m.ID()] {
			t.Errorf("machine ID %q is empty or not unique", m.ID())
		}
		ids[m.ID()] = true
		if m.IP() == "" || m.PrivateIP() == "" || private[m.PrivateIP()] {
			t.Errorf("machine %s: IP %q, private IP %q (empty or not unique)", m.ID(), m.IP(), m.PrivateIP())
		}
		private[m.PrivateIP()] = true
	}
	var listed []string
	for _, m := range c.Machines() {
		listed = append(listed, m.ID())
	}
	var made []string
	for id := range ids {
		made = append(made, id)
	}
	sort.Strings(listed)
	sort.Strings(made)
	if !slices.Equal(listed, made) {
		t.Errorf("cluster lists %v, made %v", listed, made)
	}
	if c.Platform() != f.Platform() || c.Name() != "lifecycle" {
		t.Errorf("cluster %q on %q, flight on %q", c.Name(), c.Platform(), f.Platform())
	}
}

// checkDelivery checks the userdata each machine was given, as saved and
// as the cloud holds it, and where the flight's key went.
func checkDelivery(t *testing.T, b Backend, f platform.Flight, ms []platform.Machine, out string, keyInUserData, keyInMetadata bool) {
	t.Helper()
	key := strings.TrimSpace(f.SSHKey().AuthorizedKey)
	insp, _ := b.(Inspector)
	for _, m := range ms {
		saved, err := os.ReadFile(filepath.Join(out, m.ID(), "userdata"))
		if err != nil {
			t.Errorf("userdata of %s not saved: %v", m.ID(), err)
			continue
		}
		if !strings.Contains(string(saved), "strata-conformance") {
			t.Errorf("saved userdata of %s lacks the test's script:\n%s", m.ID(), saved)
		}
		if strings.Contains(string(saved), "$private_ipv4") {
			t.Errorf("userdata of %s still says $private_ipv4: the provider substitutes no variables:\n%s", m.ID(), saved)
		}
		if strings.Contains(string(saved), key) != keyInUserData {
			t.Errorf("userdata of %s: flight key present = %v, want %v", m.ID(), !keyInUserData, keyInUserData)
		}
		if insp == nil {
			continue
		}
		in, ok := insp.Instance(m.ID())
		if !ok {
			t.Errorf("machine %s: the backend has no such instance", m.ID())
			continue
		}
		if string(in.UserData) != string(saved) {
			t.Errorf("machine %s: the cloud got userdata other than what was saved:\n%s\n--- saved:\n%s", m.ID(), in.UserData, saved)
		}
		has := slices.ContainsFunc(in.SSHKeys, func(k string) bool { return strings.Contains(k, key) })
		if has != keyInMetadata {
			t.Errorf("machine %s: flight key in the cloud's metadata = %v, want %v (keys %q)", m.ID(), has, keyInMetadata, in.SSHKeys)
		}
	}
}

// A test that asks for the key only in metadata, or only in userdata, gets
// exactly that.
func testKeySwitches(t *testing.T, target Target, b Backend, ctx context.Context) {
	f := startFlight(t, ctx, b)
	for _, tc := range []struct {
		name           string
		opts           platform.ClusterOptions
		inUD, inMetaKV bool
	}{
		{"metadata-only", platform.ClusterOptions{NoSSHKeyInUserData: true}, false, true},
		{"userdata-only", platform.ClusterOptions{NoSSHKeyInMetadata: true}, true, false},
	} {
		out := t.TempDir()
		tc.opts.Name, tc.opts.OutputDir = tc.name, out
		c, err := f.NewCluster(ctx, tc.opts)
		if err != nil {
			t.Fatalf("%s: new cluster: %v", tc.name, err)
		}
		m, err := c.NewMachine(ctx, conf.Script(script))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if target.Boots {
			if _, _, err := m.SSH(ctx, "true"); err != nil {
				t.Errorf("%s: SSH: %v", tc.name, err)
			}
		}
		checkDelivery(t, b, f, []platform.Machine{m}, out, tc.inUD, tc.inMetaKV)
		if err := c.Destroy(ctx); err != nil {
			t.Errorf("%s: destroy: %v", tc.name, err)
		}
	}
}

// A cluster made again under a name the flight used before (a test run
// again after a failure) gets machines of its own: an idempotency token
// derived from the name alone would make the cloud answer with the first
// cluster's machine, gone by then.
func testReusedName(t *testing.T, _ Target, b Backend, ctx context.Context) {
	f := startFlight(t, ctx, b)
	var ids []string
	for i := range 2 {
		c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "again", OutputDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		m, err := c.NewMachine(ctx, nil)
		if err != nil {
			t.Fatalf("cluster %d of the same name: %v", i+1, err)
		}
		ids = append(ids, m.ID())
		if err := c.Destroy(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if left := b.Leftovers(); !onlyFlightWide(left) {
		t.Errorf("left behind: %v", left)
	}
	t.Logf("machines %v", ids)
}

// A cluster that asks for additional disks either gets them on its
// machines, of the sizes asked and in the order asked, or is refused with
// ErrNoAdditionalDisks before anything is made (the runner skips such a
// test there): never machines a test would find short of a disk.
func testAdditionalDisks(t *testing.T, target Target, b Backend, ctx context.Context) {
	f := startFlight(t, ctx, b)
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "disks", OutputDir: t.TempDir(), AdditionalDisks: []string{"64M", "96M"}})
	if err != nil {
		if !errors.Is(err, platform.ErrNoAdditionalDisks) {
			t.Fatalf("refused additional disks, but not with platform.ErrNoAdditionalDisks: %v", err)
		}
		if left := b.Leftovers(); !onlyFlightWide(left) {
			t.Errorf("the refused cluster left behind: %v", left)
		}
		return
	}
	if !target.Boots {
		t.Fatal("the cluster took additional disks, but machines do not boot here to show they have them: refuse them with platform.RefuseAdditionalDisks until the simulator can show its volumes")
	}
	m, err := c.NewMachine(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Sizes in 512-byte sectors, by device name: the guest names disks in
	// the order they are attached.
	stdout, _, err := m.SSH(ctx, "for d in /sys/block/*; do echo ${d##*/} $(cat $d/size); done")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, line := range strings.Split(strings.TrimSpace(string(stdout)), "\n") {
		if name, sectors, ok := strings.Cut(line, " "); ok && (sectors == "131072" || sectors == "196608") {
			order = append(order, name+"="+sectors)
		}
	}
	if len(order) != 2 || !strings.HasSuffix(order[0], "=131072") {
		t.Errorf("want a 64M disk then a 96M disk beside the root disk; the guest has:\n%s", stdout)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if left := b.Leftovers(); !onlyFlightWide(left) {
		t.Errorf("left behind: %v", left)
	}
}

// The cloud refuses the third machine (a quota): the error is the
// platform's (kola exits 3, not 1) and carries the cloud's message; the
// two made are destroyed with the cluster and nothing is left.
func testRefused(t *testing.T, _ Target, b Backend, ctx context.Context) {
	fb := need[Faulty](t, b, "Faulty")
	f := startFlight(t, ctx, b)
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "refused", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := c.NewMachine(ctx, nil); err != nil {
			t.Fatalf("machine %d: %v", i+1, err)
		}
	}
	const msg = "strata-conformance: instance quota exhausted"
	fb.Faults().Set(fault.Rule{Call: fb.Calls().Create, Times: 1, Effect: fault.Error, Message: msg})
	_, err = c.NewMachine(ctx, nil)
	fb.Faults().Set()
	switch {
	case err == nil:
		t.Fatal("the refused machine was reported made")
	case !platform.IsInfra(err):
		t.Errorf("a refused launch is not a platform error (kola would say FAIL, not ERROR): %v", err)
	case !strings.Contains(err.Error(), msg):
		t.Errorf("the error lacks the cloud's message %q: %v", msg, err)
	}
	if n := len(c.Machines()); n != 2 {
		t.Errorf("%d machines in the cluster, want the 2 made", n)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if left := b.Leftovers(); !onlyFlightWide(left) {
		t.Errorf("left behind: %v", left)
	}
}

// The instance exists, then reading it back is refused: the machine is
// deleted, the error names it and is the platform's.
func testFailAfterCreate(t *testing.T, _ Target, b Backend, ctx context.Context) {
	fb := need[Faulty](t, b, "Faulty")
	insp := need[Inspector](t, b, "Inspector")
	f := startFlight(t, ctx, b)
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "after", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	const msg = "strata-conformance: not allowed to read instances"
	fb.Faults().Set(fault.Rule{Call: fb.Calls().Read, Times: 1, Effect: fault.Error, Message: msg})
	_, err = c.NewMachine(ctx, nil)
	fb.Faults().Set()
	launched := insp.Launched()
	switch {
	case len(launched) != 1:
		t.Fatalf("%d instances launched, want 1 (err %v)", len(launched), err)
	case err == nil:
		t.Fatal("a machine that could not be read back was reported made")
	case !platform.IsInfra(err):
		t.Errorf("not a platform error: %v", err)
	case !strings.Contains(err.Error(), launched[0]):
		t.Errorf("the error does not name the instance %s: %v", launched[0], err)
	case !strings.Contains(err.Error(), msg):
		t.Errorf("the error lacks the cloud's message: %v", err)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if left := b.Leftovers(); !onlyFlightWide(left) {
		t.Errorf("left behind: %v", left)
	}
}

// The cloud makes the instance but its answer is lost: the retry finds
// the same instance instead of making a second.
func testLostAnswer(t *testing.T, _ Target, b Backend, ctx context.Context) {
	fb := need[Faulty](t, b, "Faulty")
	insp := need[Inspector](t, b, "Inspector")
	f := startFlight(t, ctx, b)
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "lost", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	fb.Faults().Set(fault.Rule{Call: fb.Calls().Create, Times: 1, Effect: fault.LoseAnswer})
	m, err := c.NewMachine(ctx, nil)
	fb.Faults().Set()
	if err != nil {
		t.Fatalf("a create whose answer was lost once: %v", err)
	}
	if got := insp.Launched(); len(got) != 1 || got[0] != m.ID() {
		t.Errorf("instances launched %v, want just %s", got, m.ID())
	}
	if fb.Faults().Injected() != 1 {
		t.Errorf("the answer was not lost (%d faults injected)", fb.Faults().Injected())
	}
	if err := c.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
}

// Ctrl-C in the middle of a create — during the call that makes the
// instance, and while it starts — leaves nothing once the cluster is
// destroyed.
func testInterrupt(t *testing.T, _ Target, b Backend, ctx context.Context) {
	f := startFlight(t, ctx, b)
	type when struct {
		name string
		arm  func(cancel func())
		call string // the call interrupted, when the backend is Faulty
	}
	var whens []when
	switch fb := b.(type) {
	case Faulty:
		// The hook runs as the call arrives; the delay keeps the call in
		// flight while the client gives up, as a cloud that answers
		// slowly would.
		for _, w := range []struct{ name, call string }{{"during-create-call", fb.Calls().Create}, {"while-starting", fb.Calls().Read}} {
			whens = append(whens, when{w.name, func(cancel func()) {
				fb.Faults().Set(fault.Rule{Call: w.call, Times: 1, Effect: fault.Delay, Latency: 200 * time.Millisecond, Hook: cancel})
			}, w.call})
		}
	case Interrupter:
		whens = append(whens, when{"while-starting", fb.InterruptNextCreate, ""})
	default:
		t.Fatalf("the backend (%T) cannot interrupt a create: implement platformtest.Faulty or platformtest.Interrupter", b)
	}
	for _, w := range whens {
		c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "interrupt-" + w.name, OutputDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		w.arm(cancel)
		_, err = c.NewMachine(cctx, nil)
		cancel()
		if fb, ok := b.(Faulty); ok {
			fb.Faults().Set()
			// The cloud finishes a call its caller gave up on: what it
			// made then must not be left either.
			for deadline := time.Now().Add(10 * time.Second); fb.Faults().InFlight(w.call) > 0 && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
		}
		if err == nil {
			t.Errorf("%s: the create was interrupted, yet reported a machine", w.name)
		}
		if err := c.Destroy(ctx); err != nil {
			t.Errorf("%s: destroy: %v", w.name, err)
		}
		if left := b.Leftovers(); !onlyFlightWide(left) {
			t.Errorf("%s: left behind: %v", w.name, left)
		}
	}
}

// The lifecycle of a 3-machine cluster through throttling and server
// errors on a fifth of the calls.
func testChaos(t *testing.T, _ Target, b Backend, ctx context.Context) {
	fb := need[Faulty](t, b, "Faulty")
	fb.Faults().Set(fault.Chaos(0.2, 0.2)...)
	f := startFlight(t, ctx, b)
	out := t.TempDir()
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "lifecycle", OutputDir: out})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := platform.NewMachines(ctx, c, 3, conf.Script(script))
	if err != nil {
		t.Fatal(err)
	}
	checkMachines(t, f, c, ms, out)
	checkDelivery(t, b, f, ms, out, true, true)
	if err := c.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if fb.Faults().Injected() < 3 {
		t.Errorf("only %d faults injected", fb.Faults().Injected())
	}
	t.Cleanup(func() { fb.Faults().Set() }) // before the flight's cleanup checks
}

// GC on a population of every kind, strata's and others', old and young,
// removes exactly strata's old ones; its dry run removes nothing; it works
// through throttling too where the backend can inject it.
func testGC(t *testing.T, _ Target, b Backend, ctx context.Context) {
	col := need[Collector](t, b, "Collector")
	now := time.Now()
	old, young := now.Add(-6*time.Hour), now.Add(-time.Hour)
	type planted struct {
		kind, id string
		ours     bool
		created  time.Time
	}
	var all []planted
	var want []string
	for _, kind := range col.Kinds() {
		for _, ours := range []bool{true, false} {
			for _, created := range []time.Time{old, young} {
				id := col.Plant(t, kind, ours, created)
				all = append(all, planted{kind, id, ours, created})
				if ours && created.Equal(old) {
					want = append(want, kind+" "+id)
				}
			}
		}
	}
	sort.Strings(want)
	opts := cloud.GCOptions{OlderThan: 5 * time.Hour, DryRun: true}
	items, err := col.GC(ctx, opts)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if got := itemNames(items); !slices.Equal(got, want) {
		t.Errorf("dry run lists %v, want %v", got, want)
	}
	for _, p := range all {
		if !col.Exists(p.kind, p.id) {
			t.Fatalf("the dry run deleted %s %s", p.kind, p.id)
		}
	}
	if fb, ok := b.(Faulty); ok {
		fb.Faults().Set(fault.Chaos(0.2, 0.2)...)
		defer fb.Faults().Set()
	}
	opts.DryRun = false
	items, err = col.GC(ctx, opts)
	if err != nil {
		t.Fatalf("gc: %v", err)
	}
	if got := itemNames(items); !slices.Equal(got, want) {
		t.Errorf("gc deleted %v, want %v", got, want)
	}
	for _, p := range all {
		gone := !col.Exists(p.kind, p.id)
		if wantGone := p.ours && p.created.Equal(old); gone != wantGone {
			t.Errorf("%s %s (ours %v, made %v ago): gone = %v, want %v", p.kind, p.id, p.ours, now.Sub(p.created).Round(time.Hour), gone, wantGone)
		}
	}
}

// testLogger shows the providers' logs in verbose runs only: a provider
// may log from a goroutine after the test is over, where t.Log panics.
func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
	}
	return slog.New(slog.DiscardHandler)
}

func itemNames(items []cloud.GCItem) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Kind+" "+it.ID)
	}
	sort.Strings(out)
	return out
}

// A kept machine (kola run --keep-failed) outlives its cluster and its
// flight, reachable as its record says when machines boot, while the
// other cluster's machine goes; the provider's RemoveKept then removes it
// and nothing is left, and a second RemoveKept finds it gone.
func testKeep(t *testing.T, target Target, b Backend, ctx context.Context) {
	if target.RemoveKept == nil {
		t.Skip("the provider does not keep machines (no RemoveKept)")
	}
	f, err := b.NewFlight(ctx, platform.FlightOptions{Name: "conformance-keep", OutputDir: t.TempDir(), Logger: testLogger(t), KeepFailed: true})
	if err != nil {
		t.Fatalf("new flight: %v", err)
	}
	destroyed := false
	var kept []platform.KeptMachine
	t.Cleanup(func() {
		dctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if !destroyed {
			f.Destroy(dctx)
		}
		for _, k := range kept {
			target.RemoveKept(dctx, k)
		}
	})
	keepC, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "kept", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	goneC, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "gone", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	m, err := keepC.NewMachine(ctx, conf.Script(script))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := goneC.NewMachine(ctx, conf.Script(script)); err != nil {
		t.Fatal(err)
	}
	keeper, ok := keepC.(platform.Keeper)
	if !ok {
		t.Fatalf("the provider has RemoveKept but its cluster (%T) is no platform.Keeper", keepC)
	}
	kept, err = keeper.Keep(ctx)
	if err != nil || len(kept) != 1 || kept[0].ID != m.ID() || kept[0].Addr == "" || kept[0].User == "" {
		t.Fatalf("Keep: %+v, %v (want machine %s)", kept, err, m.ID())
	}
	if n := len(keepC.Machines()); n != 0 {
		t.Errorf("the cluster still lists %d machines after Keep", n)
	}
	destroyed = true
	if err := f.Destroy(ctx); err != nil {
		t.Fatalf("destroy flight: %v", err)
	}
	left := b.Leftovers()
	if len(left) == 0 {
		t.Fatal("nothing left after the flight was destroyed: the kept machine went with it")
	}
	if target.Boots {
		if stdout, _, err := m.SSH(ctx, "echo still up"); err != nil || strings.TrimSpace(string(stdout)) != "still up" {
			t.Errorf("SSH to the kept machine after its flight: %q, %v", stdout, err)
		}
	}
	running, err := target.RemoveKept(ctx, kept[0])
	if err != nil || !running {
		t.Fatalf("RemoveKept: %v, %v", running, err)
	}
	if after := b.Leftovers(); len(after) != 0 {
		t.Errorf("left after RemoveKept: %v (before it: %v)", after, left)
	}
	if running, err := target.RemoveKept(ctx, kept[0]); running || err != nil {
		t.Errorf("RemoveKept of a removed machine: %v, %v", running, err)
	}
	kept = nil
}
