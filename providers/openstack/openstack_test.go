package openstack

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack/sim"
)

func TestFlagsValidate(t *testing.T) {
	good := Flags{Image: "flatcar", Flavor: "m1.small", BootTimeout: time.Minute}
	for _, tc := range []struct {
		name string
		edit func(*Flags)
		want string
	}{
		{"good", func(*Flags) {}, ""},
		{"no image", func(f *Flags) { f.Image = "" }, "--os-image is required"},
		{"no flavor", func(f *Flags) { f.Flavor = "" }, "--os-flavor"},
		{"no time to boot", func(f *Flags) { f.BootTimeout = 0 }, "--os-boot-timeout"},
		{"bad interface", func(f *Flags) { f.Interface = "backdoor" }, "--os-interface"},
	} {
		f := good
		tc.edit(&f)
		err := f.validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !platform.IsUsage(err)):
			t.Errorf("%s: %v, want a usage error with %q", tc.name, err, tc.want)
		}
	}
}

func flightOpts(t *testing.T) platform.FlightOptions {
	return platform.FlightOptions{Name: t.Name(), OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)}
}

// Flags that name what the cloud does not have are the user's error,
// naming the flag; nothing is left behind.
func TestFlightRefusesWhatIsNotThere(t *testing.T) {
	b := startSim(t, sim.Options{})
	clearEnv(t)
	for _, tc := range []struct {
		name string
		edit func(*Flags)
		want string
	}{
		{"image", func(f *Flags) { f.Image = "flatcar-9999" }, `--os-image "flatcar-9999"`},
		{"flavor", func(f *Flags) { f.Flavor = "m9.huge" }, `--os-flavor "m9.huge"`},
		{"network", func(f *Flags) { f.Network = "lab" }, `--os-network "lab"`},
		{"pool", func(f *Flags) { f.FloatingIPPool = "nope" }, `--os-floating-ip-pool "nope"`},
		{"internal pool", func(f *Flags) { f.FloatingIPPool = "private" }, "not an external network"},
	} {
		f := b.flags
		tc.edit(&f)
		_, err := newFlight(context.Background(), f, flightOpts(t), b.tune)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !platform.IsUsage(err) {
			t.Errorf("%s: %v, want a usage error with %q", tc.name, err, tc.want)
		}
	}
	b.s.AddNetwork("lab", false)
	if _, err := newFlight(context.Background(), b.flags, flightOpts(t), b.tune); err == nil || !strings.Contains(err.Error(), "--os-network is needed") {
		t.Errorf("two networks and no --os-network: %v", err)
	}
	if left := b.Leftovers(); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

// With a pool, a machine is reached at its floating IP; the config drive
// and the marks reach Nova; the console log comes from Nova; and
// everything goes with the flight.
func TestFloatingIPAndConfigDrive(t *testing.T) {
	pollInterval, deletePoll = time.Millisecond, time.Millisecond
	b := startSim(t, sim.Options{})
	clearEnv(t)
	lab := b.s.AddNetwork("lab", false)
	f := b.flags
	f.FloatingIPPool, f.ConfigDrive, f.Network = "public", true, lab
	ctx := context.Background()
	fl, err := newFlight(ctx, f, flightOpts(t), b.tune)
	if err != nil {
		t.Fatal(err)
	}
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "fip", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.NewMachine(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := b.s.Instance(m.ID())
	fips := b.s.FloatingIPs()
	switch {
	case !in.ConfigDrive:
		t.Error("no config drive")
	case in.Metadata[CreatedByKey] != CreatedBy || !strings.HasPrefix(in.Metadata[PathKey], fl.(*flight).tag+"/"):
		t.Errorf("metadata %v", in.Metadata)
	case len(in.Ports) != 1 || fips[in.Ports[0]] == "":
		t.Errorf("ports %v, floating IPs %v", in.Ports, fips)
	case m.IP() != fips[in.Ports[0]] || !strings.HasPrefix(m.PrivateIP(), "10."):
		t.Errorf("machine at %s (private %s), floating IP %s", m.IP(), m.PrivateIP(), fips[in.Ports[0]])
	}
	b.s.SetConsole(m.ID(), "Flatcar Container Linux\nlogin: \n")
	if got := m.(*machine).ConsoleOutput(ctx); !strings.Contains(got, "login:") {
		t.Errorf("console %q", got)
	}
	if err := fl.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if left := b.Leftovers(); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}
