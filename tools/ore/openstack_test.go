package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack"
)

// ore openstack against `ore openstack simulate`: gc finds what a run
// that was killed left, images go up, and the errors a person meets.
func TestOpenStackCommands(t *testing.T) {
	state := t.TempDir()
	_, stop := simulate(t, "openstack", "--state-dir", state)
	defer stop()
	clouds := filepath.Join(state, "clouds.yaml")
	o := func(args ...string) (int, string, string) {
		return ore(t, append([]string{"openstack", "--os-cloud", "sim", "--os-clouds-file", clouds}, args...)...)
	}
	// A flight whose run is killed: its server, port, security group and
	// key pair stay.
	flags := openstack.Flags{Account: openstack.Account{Cloud: "sim", CloudsFile: clouds}, Flavor: "m1.tiny", Image: "cirros", BootTimeout: time.Minute}
	ctx := context.Background()
	f, err := openstack.NewFlight(ctx, flags, platform.FlightOptions{Name: "killed", OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "killed", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.NewMachine(ctx, conf.Script("#!/bin/sh\ntrue\n"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, _ := o("gc", "--dry-run", "--duration", "1h")
	if code != 0 || !strings.Contains(out, "would delete 0 resources") {
		t.Errorf("gc --dry-run of young things: %d\n%s", code, out)
	}
	code, out, errOut := o("gc", "--duration", "1ns")
	for _, want := range []string{"deleted server " + m.ID(), "deleted port ", "deleted security-group ", "deleted key strata-key-", "deleted 4 resources"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("gc: %d, lacks %q\n%s\n%s", code, want, out, errOut)
		}
	}

	disk := filepath.Join(t.TempDir(), "flatcar.qcow2")
	if err := os.WriteFile(disk, append([]byte("QFI\xfb\x00\x00\x00\x03"), make([]byte, 1<<20)...), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = o("create-image", "--name", "flatcar", "--file", disk, "--tags", "channel-dev", "--property", "os_distro=flatcar", "--no-progress")
	id := regexp.MustCompile(`image ([0-9a-f-]{36}) \(flatcar\) active: qcow2, 1048584 bytes, SHA-512 checked`).FindStringSubmatch(out)
	if code != 0 || id == nil || !strings.Contains(out, "kola run -p openstack --os-image "+id[1]) {
		t.Fatalf("create-image: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = o("list-images", "--json")
	var imgs []struct {
		ID, Name, DiskFormat string
		Tags                 []string
	}
	if err := json.Unmarshal([]byte(out), &imgs); code != 0 || err != nil || len(imgs) != 1 || imgs[0].Name != "flatcar" ||
		imgs[0].DiskFormat != "qcow2" || strings.Join(imgs[0].Tags, ",") != "strata,channel-dev" {
		t.Errorf("list-images --json: %d %v %s", code, err, out)
	}
	if code, out, _ := o("list-images", "--all"); code != 0 || !strings.Contains(out, "cirros") || !strings.Contains(out, "flatcar") {
		t.Errorf("list-images --all: %d\n%s", code, out)
	}
	code, out, errOut = o("delete-image", id[1])
	if code != 0 || !strings.Contains(out, "deleted image "+id[1]) {
		t.Errorf("delete-image: %d %s %s", code, out, errOut)
	}

	empty := filepath.Join(t.TempDir(), "empty.raw")
	os.WriteFile(empty, nil, 0o600)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"delete-image", id[1]}, 1, "image " + id[1] + ": 404 Not Found: No image found"},
		{[]string{"create-image", "--name", "x", "--file", empty, "--no-progress"}, 2, "too short to be a disk image"},
		{[]string{"create-image", "--name", "x", "--file", disk, "--disk-format", "raw", "--no-progress"}, 2, "is qcow2, not raw"},
		{[]string{"create-image", "--name", "x", "--file", filepath.Join(state, "none.qcow2")}, 2, "none.qcow2"},
		{[]string{"gc", "--duration", "0s"}, 2, "--duration must be positive"},
		{[]string{"simulate", "--listen", "127.0.0.1:0"}, 2, "--os-cloud: not used by openstack simulate"},
	} {
		code, _, errOut := o(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("ore openstack %v: %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	code, _, errOut = ore(t, "openstack", "--os-cloud", "prod", "--os-clouds-file", clouds, "gc")
	if code != 2 || !strings.Contains(errOut, clouds) || !strings.Contains(errOut, `"prod"`) {
		t.Errorf("a cloud not in clouds.yaml: %d %s", code, errOut)
	}
	secret, _ := os.ReadFile(filepath.Join(state, "secure.yaml"))
	if pw := strings.TrimSpace(strings.TrimPrefix(string(secret), "clouds:\n  sim:\n    auth:\n      password: ")); pw == "" || strings.Contains(errOut+out, pw) {
		t.Errorf("the password %q is in the output", pw)
	}
}
