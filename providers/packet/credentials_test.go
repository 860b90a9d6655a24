package packet

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/packet/sim"
)

func TestCredentials(t *testing.T) {
	b := startSim(t, sim.Options{})
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		return p
	}
	noToken := write("empty.yaml", "project-id: "+b.project+"\n")
	malformed := write("bad.yaml", "token: ["+testKey+"\n")
	endpoint := b.flags.Endpoint
	for _, tc := range []struct {
		name    string
		account Account
		env     map[string]string
		want    string // in the error; "" for none
	}{
		{"config file", b.flags.Account, nil, ""},
		{"environment", Account{Endpoint: endpoint}, map[string]string{"PACKET_AUTH_TOKEN": "", "METAL_AUTH_TOKEN": testKey, "METAL_PROJECT_ID": b.project}, ""},
		{"flag", Account{Endpoint: endpoint, APIKey: testKey, Project: b.project}, nil, ""},
		{"nothing", Account{Endpoint: endpoint}, nil, "no API key"},
		{"no project", Account{Endpoint: endpoint, APIKey: testKey}, nil, "no project"},
		{"not a project ID", Account{Endpoint: endpoint, APIKey: testKey, Project: "kola"}, nil, `project "kola" is not a project ID`},
		{"empty token", Account{Endpoint: endpoint, ConfigFile: noToken}, nil, noToken + ": token is empty"},
		{"malformed", Account{Endpoint: endpoint, ConfigFile: malformed}, nil, malformed + ": not the metal CLI's YAML config"},
		{"missing file", Account{Endpoint: endpoint, ConfigFile: filepath.Join(dir, "none.yaml")}, nil, "none.yaml"},
		{"bad endpoint", Account{Endpoint: "ftp://x", APIKey: testKey, Project: b.project}, nil, "--packet-endpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"PACKET_AUTH_TOKEN", "METAL_AUTH_TOKEN", "PACKET_PROJECT_ID", "METAL_PROJECT_ID"} {
				t.Setenv(k, tc.env[k])
			}
			c, err := Connect(context.Background(), tc.account, slog.New(slog.DiscardHandler), b.tune)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if err := c.CheckProject(context.Background()); err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !platform.IsUsage(err) {
				t.Errorf("%v, want a usage error with %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), testKey) {
				t.Errorf("the error holds the key: %v", err)
			}
		})
	}
}

// A wrong key is the user's error, named by the API's 401, and the flight
// refuses before it makes anything.
func TestWrongKey(t *testing.T) {
	b := startSim(t, sim.Options{})
	f := b.flags
	f.ConfigFile, f.APIKey, f.Project = "", "not-"+testKey, b.project
	_, err := newFlight(context.Background(), f, platform.FlightOptions{Name: t.Name(), OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)}, b.tune)
	if err == nil || !strings.Contains(err.Error(), "401") || !platform.IsUsage(err) || strings.Contains(err.Error(), testKey) {
		t.Errorf("a wrong key: %v", err)
	}
	if left := b.Leftovers(); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestFlagsValidate(t *testing.T) {
	good := Flags{Plan: "c3.small.x86", Metro: "sv", OS: "custom_ipxe", IPXEURL: "https://boot.example/x.ipxe", BootTimeout: 1}
	for _, tc := range []struct {
		name string
		edit func(*Flags)
		want string
	}{
		{"good", func(*Flags) {}, ""},
		{"ipxe without URL", func(f *Flags) { f.IPXEURL = "" }, "--packet-ipxe-url is required"},
		{"ftp URL", func(f *Flags) { f.IPXEURL = "ftp://x/y" }, "not an http(s) URL"},
		{"OS without URL", func(f *Flags) { f.OS, f.IPXEURL = "flatcar_stable", "" }, ""},
		{"bad plan", func(f *Flags) { f.Plan = "C3 Small" }, "--packet-plan"},
		{"bad metro", func(f *Flags) { f.Metro = "" }, "--packet-metro"},
		{"no time", func(f *Flags) { f.BootTimeout = 0 }, "--packet-boot-timeout"},
	} {
		f := good
		tc.edit(&f)
		err := f.validate()
		if (tc.want == "") != (err == nil) || (err != nil && (!strings.Contains(err.Error(), tc.want) || !platform.IsUsage(err))) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
}
