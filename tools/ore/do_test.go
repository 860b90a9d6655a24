package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do"
)

// ore do against `ore do simulate`: gc finds what a run that was killed
// left (a droplet and the flight's key), and the errors a person meets.
func TestDOCommands(t *testing.T) {
	state := t.TempDir()
	url, stop := simulate(t, "do", "--state-dir", state)
	defer stop()
	config := filepath.Join(state, "config.yaml")
	d := func(args ...string) (int, string, string) {
		return ore(t, append([]string{"do", "--do-endpoint", url, "--do-config-file", config}, args...)...)
	}
	// A flight whose run is killed: its droplet and key stay.
	flags := do.Flags{Account: do.Account{Endpoint: url, ConfigFile: config}, Region: "sfo3", Size: "s-1vcpu-1gb", Image: "debian-12-x64", BootTimeout: time.Minute}
	ctx := context.Background()
	f, err := do.NewFlight(ctx, flags, platform.FlightOptions{Name: "killed", OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
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
	code, out, _ := d("gc", "--dry-run", "--duration", "1h")
	if code != 0 || !strings.Contains(out, "would delete 0 resources") {
		t.Errorf("gc --dry-run of young things: %d\n%s", code, out)
	}
	code, out, errOut := d("gc", "--duration", "1ns")
	if code != 0 || !strings.Contains(out, "deleted droplet "+m.ID()) || !strings.Contains(out, "deleted key strata-key-") || !strings.Contains(out, "deleted 2 resources") {
		t.Errorf("gc: %d\n%s\n%s", code, out, errOut)
	}
	// An image the simulator fetches from a server here, as DigitalOcean
	// fetches from a URL it can reach.
	disk := bytes.Repeat([]byte("qcow"), 1<<18)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/disk.qcow2" {
			http.NotFound(w, r)
			return
		}
		w.Write(disk)
	}))
	defer files.Close()
	code, out, errOut = d("create-image", "--name", "flatcar", "--url", files.URL+"/disk.qcow2", "--tags", "channel-dev", "--poll", "5ms")
	m2 := regexp.MustCompile(`image (\d+) \(flatcar\) available in sfo3`).FindStringSubmatch(out)
	if code != 0 || m2 == nil || !strings.Contains(out, "kola run -p do --do-image "+m2[1]) {
		t.Fatalf("create-image: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = d("list-images", "--json")
	var imgs []struct {
		ID   int
		Name string
		Tags []string
	}
	if err := json.Unmarshal([]byte(out), &imgs); code != 0 || err != nil || len(imgs) != 1 || imgs[0].Name != "flatcar" || strings.Join(imgs[0].Tags, ",") != "strata,channel-dev" {
		t.Errorf("list-images --json: %d %v %s", code, err, out)
	}
	code, _, errOut = d("create-image", "--name", "missing", "--url", files.URL+"/nothing.qcow2", "--poll", "5ms")
	if code != 1 || !strings.Contains(errOut, "could not be fetched") || !strings.Contains(errOut, "404") {
		t.Errorf("an image whose URL is not there: %d %s", code, errOut)
	}
	code, out, errOut = d("delete-image", m2[1])
	if code != 0 || !strings.Contains(out, "deleted image "+m2[1]) {
		t.Errorf("delete-image: %d %s %s", code, out, errOut)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"delete-image", m2[1]}, 1, "image " + m2[1] + ": 404 Not Found"},
		{[]string{"delete-image", "flatcar"}, 2, `image "flatcar": not an image ID`},
		{[]string{"create-image", "--name", "x", "--url", "ftp://a/b"}, 2, "not an http(s) URL"},
		{[]string{"create-image", "--name", "x", "--url", "http://a/b", "--region", "mars1", "--poll", "5ms"}, 1, "invalid region"},
		{[]string{"gc", "--duration", "0s"}, 2, "--duration must be positive"},
		{[]string{"simulate", "--listen", "127.0.0.1:0"}, 2, "--do-endpoint: not used by do simulate"},
	} {
		code, _, errOut := d(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("ore do %v: %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	code, _, errOut = ore(t, "do", "--do-endpoint", url, "--do-config-file", filepath.Join(state, "none.yaml"), "gc")
	if code != 2 || !strings.Contains(errOut, "none.yaml") {
		t.Errorf("a missing config file: %d %s", code, errOut)
	}
}
