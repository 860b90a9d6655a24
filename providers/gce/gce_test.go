package gce

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/api"
	"github.com/strata-os/strata/providers/gce/sim"
)

func init() { pollInterval = 5 * time.Millisecond }

// simFlags are flags for a simulator with a public image family.
func simFlags(t *testing.T, s *sim.Server) Flags {
	t.Helper()
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddImage("kinvolk-public", "flatcar-stable-4081-2-0", "flatcar-stable", nil, time.Now().Add(-time.Hour))
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "never-read.json"))
	return Flags{Account: Account{Project: "strata-sim", Zone: "us-central1-a", Endpoint: srv.URL}, Image: "kinvolk-public/flatcar-stable",
		MachineType: "e2-medium", Network: "default", BootTimeout: time.Minute}
}

func simFlight(t *testing.T, s *sim.Server) (platform.Flight, error) {
	t.Helper()
	return newFlight(context.Background(), simFlags(t, s), platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()}, fastRetries)
}

// The serial console artifact says when Compute Engine dropped its start.
func TestConsoleSaysWhatIsLost(t *testing.T) {
	s := sim.New(sim.Options{})
	fl, err := simFlight(t, s)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer fl.Destroy(ctx)
	c, _ := fl.NewCluster(ctx, platform.ClusterOptions{Name: "x"})
	m, err := c.NewMachine(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.SetConsole(m.ID(), []byte(strings.Repeat("x", 1<<20+10)+"end"))
	con := m.ConsoleOutput(ctx)
	if !strings.HasPrefix(con, "[strata: Compute Engine keeps only the last 1 MiB of serial output; the first 13 bytes are lost]\n") || !strings.HasSuffix(con, "end") {
		t.Errorf("console starts %q", con[:120])
	}
}

// An insert whose answer is lost is tried again with the same request ID
// and gets the first one's operation, not a conflict or a second machine.
func TestInsertIsIdempotent(t *testing.T) {
	s := sim.New(sim.Options{})
	fl, err := simFlight(t, s)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer fl.Destroy(ctx)
	a := fl.(*flight).api
	spec := api.InstanceSpec{Name: "twice", MachineType: "e2-small", Image: fl.(*flight).image, Network: "default", RequestID: api.RequestID("twice")}
	op1, err := a.InsertInstance(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	op2, err := a.InsertInstance(ctx, spec)
	if err != nil || op2.Name != op1.Name {
		t.Fatalf("second insert: %v, operation %v vs %v", err, op2, op1)
	}
	spec.RequestID = api.RequestID("other")
	if _, err := a.InsertInstance(ctx, spec); err == nil || !api.IsTerminal(err) || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a second instance of the same name: %v", err)
	}
	if n := len(s.Instances()); n != 1 {
		t.Errorf("%d instances", n)
	}
}

func TestFlagsAndSetupErrors(t *testing.T) {
	s := sim.New(sim.Options{})
	base := simFlags(t, s)
	for _, tc := range []struct {
		mod  func(*Flags)
		want string
	}{
		{func(f *Flags) { f.Image = "" }, "--gce-image is required"},
		{func(f *Flags) { f.Image = "Flatcar!" }, `--gce-image "Flatcar!" is neither an image name`},
		{func(f *Flags) { f.MachineType = "E2 medium" }, `--gce-machinetype "E2 medium"`},
		{func(f *Flags) { f.Zone = "europe" }, `--gce-zone "europe" is not a zone name`},
		{func(f *Flags) { f.BootTimeout = 0 }, "--gce-boot-timeout must be positive"},
		{func(f *Flags) { f.Endpoint = "localhost:8687" }, `--gce-endpoint "localhost:8687" is not an http(s) URL`},
		{func(f *Flags) { f.Endpoint = "http://127.0.0.1:8687:" }, `--gce-endpoint "http://127.0.0.1:8687:" is not an http(s) URL`},
		{func(f *Flags) { f.Image = "kinvolk-public/flatcar-nightly" }, `--gce-image "kinvolk-public/flatcar-nightly": get image of family kinvolk-public/flatcar-nightly: image family kinvolk-public/flatcar-nightly not found`},
		{func(f *Flags) { f.Image = "mine" }, `--gce-image "mine": get image strata-sim/mine: image strata-sim/mine not found`},
		{func(f *Flags) { f.Network = "kola" }, `--gce-network "kola": get network kola: network kola not found`},
		{func(f *Flags) { f.Project = "" }, "no project: pass --gce-project"},
	} {
		f := base
		tc.mod(&f)
		_, err := newFlight(context.Background(), f, platform.FlightOptions{Name: "x", OutputDir: t.TempDir()}, fastRetries)
		if !platform.IsUsage(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want a usage error with %q", f, err, tc.want)
		}
	}
	// The image may be named by URL, by name in the project, or by family.
	s.AddImage("strata-sim", "mine", "", nil, time.Now())
	for _, img := range []string{"mine", "projects/strata-sim/global/images/mine", "projects/kinvolk-public/global/images/family/flatcar-stable"} {
		f := base
		f.Image = img
		fl, err := newFlight(context.Background(), f, platform.FlightOptions{Name: "x", OutputDir: t.TempDir()}, fastRetries)
		if err != nil {
			t.Errorf("--gce-image %s: %v", img, err)
			continue
		}
		fl.Destroy(context.Background())
	}
}

func TestInstanceName(t *testing.T) {
	for in, want := range map[string]string{
		"kola-test-basic.ssh-1":  "kola-test-basic-ssh-1",
		"Kola_Run-cl.Reboot-12":  "kola-run-cl-reboot-12",
		"1st":                    "m-1st",
		strings.Repeat("a", 70):  strings.Repeat("a", 54) + "-",
		"kola-x-" + "é-machine-": "kola-x-machine",
	} {
		got := instanceName(in)
		if len(want) == 55 {
			if !strings.HasPrefix(got, want) || len(got) != 63 {
				t.Errorf("instanceName(%q) = %q (%d)", in, got, len(got))
			}
			continue
		}
		if got != want {
			t.Errorf("instanceName(%q) = %q, want %q", in, got, want)
		}
	}
	if api.RequestID("a") == api.RequestID("b") || api.RequestID("a") != api.RequestID("a") || len(api.RequestID("a")) != 36 {
		t.Errorf("RequestID: %s %s", api.RequestID("a"), api.RequestID("b"))
	}
}

// An image of a distribution's public project says which distribution it
// is; any other image's is unknown.
func TestDistroOfImage(t *testing.T) {
	for link, want := range map[string]string{
		"https://www.googleapis.com/compute/v1/projects/kinvolk-public/global/images/flatcar-stable-4081-2-0": "flatcar",
		"projects/fedora-coreos-cloud/global/images/fedora-coreos-41":                                         "fcos",
		"projects/debian-cloud/global/images/debian-12-bookworm-v20261110":                                    "debian",
		"projects/strata-sim/global/images/mine":                                                              "",
		"mine":                                                                                                "",
	} {
		if got := distroOf(link); got != want {
			t.Errorf("distroOf(%q) = %q, want %q", link, got, want)
		}
	}
}
