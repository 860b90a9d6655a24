package esx

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/esx/api"
)

func TestAccount(t *testing.T) {
	b := startSim(t)
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(text), 0o600)
		return p
	}
	malformed := write("bad.yaml", "password: ["+testPassword+"\n")
	noPassword := write("nopw.yaml", "user: kola@vsphere.local\n")
	withURL := strings.Replace(b.sim.URL, "https://", "https://kola%40vsphere.local:"+testPassword+"@", 1)
	for _, tc := range []struct {
		name    string
		account Account
		want    string // in the error; "" for none
		usage   bool
	}{
		{"config file", b.flags.Account, "", false},
		{"govc's URL with credentials", Account{Server: withURL, CAFile: b.sim.CAFile}, "", false},
		{"flags", Account{Server: b.sim.URL, User: "kola@vsphere.local", Password: testPassword, CAFile: b.sim.CAFile}, "", false},
		{"insecure", Account{Server: b.sim.URL, User: "kola@vsphere.local", Password: testPassword, Insecure: true}, "", false},
		{"no server", Account{User: "u", Password: "p"}, "no server", true},
		{"no password", Account{Server: b.sim.URL, ConfigFile: noPassword}, "no password", true},
		{"malformed", Account{Server: b.sim.URL, ConfigFile: malformed}, malformed + ": malformed YAML", true},
		{"missing file", Account{Server: b.sim.URL, ConfigFile: filepath.Join(dir, "none.yaml")}, "none.yaml", true},
		{"not a URL", Account{Server: "vcenter.lab", User: "u", Password: "p"}, "not an http(s) URL", true},
		{"wrong password", Account{Server: b.sim.URL, User: "kola@vsphere.local", Password: "not-" + testPassword, CAFile: b.sim.CAFile}, "InvalidLogin", true},
		{"unchecked certificate", Account{Server: b.sim.URL, User: "kola@vsphere.local", Password: testPassword}, "x509", false},
		{"no such datacenter", Account{Server: b.sim.URL, User: "kola@vsphere.local", Password: testPassword, CAFile: b.sim.CAFile, Datacenter: "DC9"}, `datacenter "DC9"`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Connect(context.Background(), tc.account, api.Options{}, slog.New(slog.DiscardHandler))
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				c.Close(context.Background())
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want an error with %q", err, tc.want)
			}
			if tc.usage && !platform.IsUsage(err) {
				t.Errorf("not a usage error: %v", err)
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("the error holds the password: %v", err)
			}
		})
	}
}

func TestMark(t *testing.T) {
	for _, tc := range []struct {
		annotation string
		ok         bool
		path       string
	}{
		{"strata: created-at=2026-12-01T10:00:00Z path=f-1/c/m", true, "f-1/c/m"},
		{"strata: path=f-1/c/m", false, ""},
		{"strata: created-at=yesterday path=f-1/c/m", false, ""},
		{"web server, do not touch", false, ""},
		{"", false, ""},
	} {
		_, path, ok := parseMark(tc.annotation)
		if ok != tc.ok || (ok && path != tc.path) {
			t.Errorf("parseMark(%q) = %q %v", tc.annotation, path, ok)
		}
	}
}
