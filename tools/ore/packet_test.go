package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/packet"
)

// ore packet against `ore packet simulate`: gc finds what a run that was
// killed left (a device and the flight's key), and the errors a person
// meets.
func TestPacketCommands(t *testing.T) {
	state := t.TempDir()
	url, stop := simulate(t, "packet", "--state-dir", state)
	defer stop()
	config := filepath.Join(state, "metal.yaml")
	endpoint := url + "/metal/v1/"
	p := func(args ...string) (int, string, string) {
		return ore(t, append([]string{"packet", "--packet-endpoint", endpoint, "--packet-config-file", config}, args...)...)
	}
	flags := packet.Flags{Account: packet.Account{Endpoint: endpoint, ConfigFile: config}, Plan: "c3.small.x86", Metro: "sv", OS: "flatcar_stable", BootTimeout: time.Minute}
	ctx := context.Background()
	f, err := packet.NewFlight(ctx, flags, platform.FlightOptions{Name: "killed", OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
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
	code, out, _ := p("gc", "--dry-run", "--duration", "1h")
	if code != 0 || !strings.Contains(out, "would delete 0 resources") {
		t.Errorf("gc --dry-run of young things: %d\n%s", code, out)
	}
	code, out, errOut := p("gc", "--duration", "1ns")
	if code != 0 || !strings.Contains(out, "deleted device "+m.ID()) || !strings.Contains(out, "deleted key strata-key-") || !strings.Contains(out, "deleted 2 resources") {
		t.Errorf("gc: %d\n%s\n%s", code, out, errOut)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"gc", "--duration", "0s"}, 2, "--duration must be positive"},
		{[]string{"simulate", "--listen", "127.0.0.1:0"}, 2, "--packet-endpoint: not used by packet simulate"},
	} {
		code, _, errOut := p(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("ore packet %v: %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	// A wrong key: the API's 401, and the key in no output.
	bad := filepath.Join(t.TempDir(), "metal.yaml")
	b, _ := os.ReadFile(config)
	project := regexp.MustCompile(`project-id: (\S+)`).FindStringSubmatch(string(b))[1]
	os.WriteFile(bad, []byte("token: not-the-key-5f1e\nproject-id: "+project+"\n"), 0o600)
	code, out, errOut = ore(t, "packet", "--packet-endpoint", endpoint, "--packet-config-file", bad, "gc")
	if code != 1 || !strings.Contains(errOut, "401") || strings.Contains(out+errOut, "not-the-key-5f1e") {
		t.Errorf("a wrong key: %d %s %s", code, out, errOut)
	}
	code, _, errOut = ore(t, "packet", "--packet-endpoint", endpoint, "--packet-config-file", filepath.Join(state, "none.yaml"), "gc")
	if code != 2 || !strings.Contains(errOut, "none.yaml") {
		t.Errorf("a missing config file: %d %s", code, errOut)
	}
}
