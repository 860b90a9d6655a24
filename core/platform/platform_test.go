package platform_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/sshclient"
)

func TestRegistry(t *testing.T) {
	r := platform.NewRegistry()
	fake := platformtest.New(platformtest.Options{})
	if err := r.Register(fake.Registration()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		p    platform.Provider
		want string
	}{
		{fake.Registration(), "registered twice"},
		{platform.Provider{Name: "Bad Name", NewFlight: fake.Registration().NewFlight}, "name must match"},
		{platform.Provider{Name: "nofunc"}, "NewFlight is nil"},
	} {
		if err := r.Register(tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Register(%q) = %v, want %q", tc.p.Name, err, tc.want)
		}
	}
	_, err := r.Lookup("nosuch")
	var ue *platform.UnknownProviderError
	if !errors.As(err, &ue) || err.Error() != `unknown platform "nosuch" (known: fake)` {
		t.Errorf("Lookup: %v", err)
	}
	if _, err := platform.NewRegistry().Lookup("qemu"); err == nil || !strings.Contains(err.Error(), "no providers are linked") {
		t.Errorf("empty registry: %v", err)
	}
}

func newFlight(t *testing.T, fake *platformtest.Provider) platform.Flight {
	t.Helper()
	f, err := fake.Registration().NewFlight(context.Background(), platform.FlightOptions{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLifecycle(t *testing.T) {
	fake := platformtest.New(platformtest.Options{Journal: "-- journal begins --\nhello\n"})
	f := newFlight(t, fake)
	ctx := context.Background()
	out := t.TempDir()
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "basic", OutputDir: out})
	if err != nil {
		t.Fatal(err)
	}
	ud := conf.CloudConfig("#cloud-config\nhostname: $private_ipv4\n")
	for i := 0; i < 3; i++ {
		if _, err := c.NewMachine(ctx, ud); err != nil {
			t.Fatal(err)
		}
	}
	ms := c.Machines()
	if len(ms) != 3 || len(fake.Live()) != 3 {
		t.Fatalf("machines %d live %v", len(ms), fake.Live())
	}
	for _, m := range ms {
		b, err := os.ReadFile(filepath.Join(out, m.ID(), "userdata"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), f.SSHKey().AuthorizedKey) || !strings.Contains(string(b), "hostname: "+m.PrivateIP()) {
			t.Errorf("userdata of %s lacks key or substitution:\n%s", m.ID(), b)
		}
	}
	m := ms[0]
	stdout, _, err := m.SSH(ctx, "echo hi from $(pwd)")
	if err != nil || !strings.HasPrefix(string(stdout), "hi from ") {
		t.Errorf("SSH: %q %v", stdout, err)
	}
	_, _, err = m.SSH(ctx, "exit 4")
	var ee *sshclient.ExitError
	if !errors.As(err, &ee) || ee.Status != 4 {
		t.Errorf("exit status: %v", err)
	}
	if err := m.CopyFile(ctx, strings.NewReader("data"), "copied", 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(m.(*platformtest.Machine).Dir, "copied")); string(b) != "data" {
		t.Errorf("copied %q", b)
	}
	before := m.(*platformtest.Machine).Commands()
	if err := m.Reboot(ctx); err != nil {
		t.Fatal(err)
	}
	if n := m.(*platformtest.Machine).Reboots(); n != 1 {
		t.Errorf("reboots %d after %v", n, before)
	}
	if _, _, err := m.SSH(ctx, "true"); err != nil {
		t.Errorf("SSH after reboot: %v", err)
	}
	j, err := m.Journal(ctx)
	if err != nil || !strings.Contains(string(j), "hello") {
		t.Errorf("journal %q %v", j, err)
	}
	if err := f.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if live := fake.Live(); len(live) != 0 {
		t.Errorf("left behind: %v", live)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Errorf("second destroy: %v", err)
	}
}

func TestNoJournalAndKeySwitches(t *testing.T) {
	fake := platformtest.New(platformtest.Options{})
	f := newFlight(t, fake)
	defer f.Destroy(context.Background())
	ctx := context.Background()
	c, _ := f.NewCluster(ctx, platform.ClusterOptions{Name: "nokeys", NoSSHKeyInUserData: true})
	m, err := c.NewMachine(ctx, conf.Script("#!/bin/sh\ntrue\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Journal(ctx); !errors.Is(err, platform.ErrNoJournal) {
		t.Errorf("journal: %v, want ErrNoJournal", err)
	}
	if strings.Contains(string(m.(*platformtest.Machine).UserData.Data), "ssh-ed25519") {
		t.Error("key in userdata despite NoSSHKeyInUserData")
	}
	// A Python script cannot carry keys: the error says so and names the cluster.
	c2, _ := f.NewCluster(ctx, platform.ClusterOptions{Name: "py"})
	_, err = c2.NewMachine(ctx, conf.Script("#!/usr/bin/python3\nprint(1)\n"))
	if !errors.Is(err, conf.ErrKeysNotInjectable) || !strings.Contains(err.Error(), "cluster py") {
		t.Errorf("python userdata: %v", err)
	}
}

func TestFailedCreateIsInfra(t *testing.T) {
	fake := platformtest.New(platformtest.Options{FailCreate: func(_ string, i int) error {
		if i == 1 {
			return errors.New("quota exceeded")
		}
		return nil
	}})
	f := newFlight(t, fake)
	ctx := context.Background()
	c, _ := f.NewCluster(ctx, platform.ClusterOptions{Name: "q"})
	if _, err := c.NewMachine(ctx, nil); err != nil {
		t.Fatal(err)
	}
	_, err := c.NewMachine(ctx, nil)
	if !platform.IsInfra(err) || !strings.Contains(err.Error(), "quota exceeded") {
		t.Errorf("err %v", err)
	}
	if err := f.Destroy(ctx); err != nil || len(fake.Live()) != 0 {
		t.Errorf("destroy %v, live %v", err, fake.Live())
	}
}
