package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images/bootdisk"
	"github.com/strata-os/strata/providers/esx"
	"github.com/strata-os/strata/providers/esx/vcsim"
)

// ore esx against `ore esx simulate`: list and gc find what a run that
// was killed left, delete refuses what strata did not mark.
func TestESXCommands(t *testing.T) {
	state := t.TempDir()
	url, stop := simulate(t, "esx", "--state-dir", state)
	defer stop()
	account := esx.Account{Server: url + "/sdk", ConfigFile: filepath.Join(state, "esx.yaml"), CAFile: filepath.Join(state, "ca.pem")}
	e := func(args ...string) (int, string, string) {
		return ore(t, append([]string{"esx", "--esx-server", account.Server, "--esx-config-file", account.ConfigFile, "--esx-ca-file", account.CAFile}, args...)...)
	}
	flags := esx.Flags{Account: account, Template: vcsim.TemplateName, BootTimeout: time.Minute}
	ctx := context.Background()
	f, err := esx.NewFlight(ctx, flags, platform.FlightOptions{Name: "killed", OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
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
	code, out, errOut := e("list", "--json")
	var vms []struct{ Name, ID, PowerState string }
	if err := json.Unmarshal([]byte(out), &vms); code != 0 || err != nil || len(vms) != 1 || vms[0].ID != m.ID() || vms[0].PowerState != "poweredOn" {
		t.Fatalf("list --json: %d %v %s %s", code, err, out, errOut)
	}
	code, out, _ = e("gc", "--dry-run", "--duration", "1h")
	if code != 0 || !strings.Contains(out, "would delete 0 resources") {
		t.Errorf("gc --dry-run of young things: %d\n%s", code, out)
	}
	if code, _, errOut := e("delete", vcsim.TemplateName); code != 2 || !strings.Contains(errOut, "no virtual machine or template strata marked has that name") {
		t.Errorf("delete of a VM strata did not mark: %d %s", code, errOut)
	}
	code, out, errOut = e("gc", "--duration", "1ns")
	if code != 0 || !strings.Contains(out, "deleted vm "+vms[0].Name) || !strings.Contains(out, "deleted 1 resources") {
		t.Errorf("gc: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = ore(t, "esx", "--esx-server", account.Server, "--esx-config-file", account.ConfigFile, "gc")
	if code != 1 || !strings.Contains(errOut, "x509") {
		t.Errorf("the simulator's certificate unchecked against its CA: %d %s", code, errOut)
	}
	if code, _, errOut := e("simulate", "--listen", "127.0.0.1:0"); code != 2 || !strings.Contains(errOut, "--esx-server: not used by esx simulate") {
		t.Errorf("simulate with account flags: %d %s", code, errOut)
	}

	// An OVA from strata's own image writer, imported as a template
	// through the NFC lease, cloned by a flight, and collected by gc.
	raw := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(raw, bytes.Repeat([]byte("strata-disk-"), 1<<18), 0o644); err != nil {
		t.Fatal(err)
	}
	ova := filepath.Join(t.TempDir(), "flatcar.ova")
	if err := bootdisk.Convert(ctx, raw, "ova", ova, "flatcar", 1700000000); err != nil {
		t.Fatal(err)
	}
	const pool = "/DC0/host/DC0_C0/Resources"
	code, out, errOut = e("upload-ova", "--resource-pool", pool, ova)
	if code != 0 || !strings.Contains(out, "imported "+ova+" as template flatcar (vm-") || !strings.Contains(errOut, "Uploading flatcar-disk1.vmdk") {
		t.Fatalf("upload-ova: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = e("list", "--json")
	var listed []struct {
		Name     string
		Template bool
	}
	if err := json.Unmarshal([]byte(out), &listed); code != 0 || err != nil || len(listed) != 1 || listed[0].Name != "flatcar" || !listed[0].Template {
		t.Errorf("list after upload-ova: %d %v %s", code, err, out)
	}
	flags.Template, flags.ResourcePool = "flatcar", pool
	f, err = esx.NewFlight(ctx, flags, platform.FlightOptions{Name: "from-ova", OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	c, err = f.NewCluster(ctx, platform.ClusterOptions{Name: "ova", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewMachine(ctx, nil); err != nil {
		t.Fatalf("a machine cloned from the imported template: %v", err)
	}
	if err := f.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = e("gc", "--duration", "1ns")
	if code != 0 || !strings.Contains(out, "deleted template flatcar") || !strings.Contains(out, "deleted 1 resources") {
		t.Errorf("gc of the imported template: %d\n%s\n%s", code, out, errOut)
	}
	if code, _, errOut := e("upload-ova", filepath.Join(t.TempDir(), "none.ova")); code != 2 || !strings.Contains(errOut, "none.ova") {
		t.Errorf("a missing OVA: %d %s", code, errOut)
	}
}
