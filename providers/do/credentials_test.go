package do

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do/sim"
)

func writeConfig(t *testing.T, text string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestToken(t *testing.T) {
	t.Setenv("DIGITALOCEAN_TOKEN", "")
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "")
	for _, tc := range []struct {
		name, config, context string
		want, wantErr         string
	}{
		{"access-token", "access-token: dop_v1_a\n", "", "dop_v1_a", ""},
		{"the file's context", "access-token: dop_v1_a\ncontext: work\nauth-contexts:\n  work: dop_v1_w\n", "", "dop_v1_w", ""},
		{"--do-context", "access-token: dop_v1_a\nauth-contexts:\n  home: dop_v1_h\n", "home", "dop_v1_h", ""},
		{"default context", "access-token: dop_v1_a\ncontext: default\n", "", "dop_v1_a", ""},
		{"unknown context", "access-token: dop_v1_a\nauth-contexts:\n  home: dop_v1_h\n", "work", "", `auth-contexts has no token for context "work"`},
		{"no token", "context: default\n", "", "", "access-token is empty"},
		{"not YAML", "access-token: [dop_v1_secret\n", "", "", "not doctl's YAML config: malformed YAML"},
		{"wrong type", "auth-contexts: dop_v1_secret\n", "", "", "fields of the wrong type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeConfig(t, tc.config, 0o600)
			got, err := Account{ConfigFile: p, Context: tc.context}.token(nil)
			if tc.wantErr == "" {
				if err != nil || got != tc.want {
					t.Errorf("token %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %v, want one naming %s and saying %q", err, p, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "dop_v1") {
				t.Errorf("the error holds a token: %v", err)
			}
		})
	}
	if _, err := (Account{}).token(nil); err == nil || !strings.Contains(err.Error(), "DIGITALOCEAN_TOKEN") {
		t.Errorf("no token anywhere: %v", err)
	}
	t.Setenv("DIGITALOCEAN_ACCESS_TOKEN", "dop_v1_env")
	if got, err := (Account{}).token(nil); err != nil || got != "dop_v1_env" {
		t.Errorf("from the environment: %q, %v", got, err)
	}
	if _, err := (Account{ConfigFile: filepath.Join(t.TempDir(), "none.yaml")}).token(nil); err == nil || !strings.Contains(err.Error(), "--do-config-file") {
		t.Errorf("a missing file: %v", err)
	}
	var logs bytes.Buffer
	p := writeConfig(t, "access-token: dop_v1_a\n", 0o644)
	if _, err := (Account{ConfigFile: p}).token(slog.New(slog.NewTextHandler(&logs, nil))); err != nil || !strings.Contains(logs.String(), "readable by every user") {
		t.Errorf("a world-readable file: %v, logs %q", err, logs.String())
	}
}

// A canary token goes through a whole flight and a refused one: it is in
// no log line, no error and no file of the output directory.
func TestTokenNeverLeaks(t *testing.T) {
	b := startSim(t, sim.Options{})
	var logs bytes.Buffer
	out := t.TempDir()
	ctx := context.Background()
	f, err := b.NewFlight(ctx, platform.FlightOptions{Name: "canary", OutputDir: out, Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "canary", OutputDir: filepath.Join(out, "canary")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewMachine(ctx, conf.Script("#!/bin/sh\ntrue\n")); err != nil {
		t.Fatal(err)
	}
	if err := f.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	b.flags.ConfigFile = writeConfig(t, "access-token: "+testToken+"x\n", 0o600)
	_, refused := b.NewFlight(ctx, platform.FlightOptions{Name: "refused", OutputDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if refused == nil || !strings.Contains(refused.Error(), "401") {
		t.Fatalf("a wrong token: %v", refused)
	}
	if strings.Contains(logs.String(), testToken) || strings.Contains(refused.Error(), testToken) {
		t.Error("the token is in a log line or an error")
	}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(testToken)) {
				t.Errorf("%s holds the token", p)
			}
		}
		return nil
	})
}
