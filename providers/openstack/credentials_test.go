package openstack

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack/sim"
)

// clearEnv unsets the OS_* variables for the test.
func clearEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "OS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

func TestConnectWays(t *testing.T) {
	b := startSim(t, sim.Options{})
	b.s.AddApplicationCredential("kola", "7f3c", "ci", "app-secret-9d2e")
	authURL := b.srv.URL + "/identity"
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	appCreds := write("app.yaml", "clouds:\n  ci:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: "+authURL+
		"\n      application_credential_id: 7f3c\n      application_credential_secret: app-secret-9d2e\n    region_name: RegionOne\n")
	for _, tc := range []struct {
		name    string
		account Account
		env     map[string]string
	}{
		{"clouds.yaml and secure.yaml", b.flags.Account, nil},
		{"OS_CLIENT_CONFIG_FILE", Account{Cloud: "sim"}, map[string]string{"OS_CLIENT_CONFIG_FILE": b.flags.CloudsFile}},
		{"application credential", Account{Cloud: "ci", CloudsFile: appCreds}, nil},
		{"internal endpoints", Account{Cloud: "ci", CloudsFile: appCreds, Interface: "internal"}, nil},
		{"OS_* variables", Account{}, map[string]string{"OS_AUTH_URL": authURL, "OS_USERNAME": "kola", "OS_PASSWORD": testPassword,
			"OS_PROJECT_NAME": sim.ProjectName, "OS_USER_DOMAIN_NAME": "Default", "OS_DOMAIN_NAME": "Default", "OS_REGION_NAME": "RegionOne"}},
		{"OS_* application credential", Account{}, map[string]string{"OS_AUTH_URL": authURL + "/v3", "OS_APPLICATION_CREDENTIAL_ID": "7f3c",
			"OS_APPLICATION_CREDENTIAL_SECRET": "app-secret-9d2e"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			if tc.account.CloudsFile == "" && tc.account.Cloud != "" && tc.env["OS_CLIENT_CONFIG_FILE"] != "" {
				// what kong's env tag does
				tc.account.CloudsFile = tc.env["OS_CLIENT_CONFIG_FILE"]
			}
			c, err := Connect(context.Background(), tc.account, slog.New(slog.DiscardHandler), b.tune)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Servers(context.Background()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestConnectRefusals(t *testing.T) {
	b := startSim(t, sim.Options{})
	authURL := b.srv.URL + "/identity"
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wrongPassword := write("wrong.yaml", "clouds:\n  sim:\n    auth:\n      auth_url: "+authURL+"\n      username: kola\n      password: not-"+testPassword+
		"\n      project_name: "+sim.ProjectName+"\n      user_domain_name: Default\n      project_domain_name: Default\n")
	malformed := write("bad.yaml", "clouds:\n  sim:\n    auth: [\n      password: "+testPassword+"\n")
	typo := write("types.yaml", "clouds:\n  sim:\n    auth:\n      auth_url: "+authURL+"\n      password: "+testPassword+"\n      username: [kola]\n")
	os.MkdirAll(filepath.Join(dir, "nopw"), 0o700)
	noPassword := write("nopw/clouds.yaml", "clouds:\n  sim:\n    auth:\n      auth_url: "+authURL+"\n      username: kola\n")
	for _, tc := range []struct {
		name    string
		account Account
		env     map[string]string
		want    []string // in the error
		usage   bool
	}{
		{"no cloud and no OS_*", Account{}, nil, []string{"--os-cloud", "OS_"}, true},
		{"no such file", Account{Cloud: "sim", CloudsFile: filepath.Join(dir, "none.yaml")}, nil, []string{"none.yaml"}, true},
		{"no such cloud", Account{Cloud: "prod", CloudsFile: b.flags.CloudsFile}, nil, []string{b.flags.CloudsFile, `"prod"`}, true},
		{"malformed YAML", Account{Cloud: "sim", CloudsFile: malformed}, nil, []string{malformed}, true},
		{"a field of the wrong type", Account{Cloud: "sim", CloudsFile: typo}, nil, []string{typo}, true},
		{"no password", Account{Cloud: "sim", CloudsFile: noPassword}, nil, []string{noPassword, "no password"}, true},
		{"wrong password", Account{Cloud: "sim", CloudsFile: wrongPassword}, nil, []string{"401", "requires authentication"}, true},
		{"region not in the catalog", Account{Cloud: "sim", CloudsFile: b.flags.CloudsFile, Region: "Mars"}, nil, []string{"compute (Nova) in the catalog"}, true},
		{"bad interface", Account{Cloud: "sim", CloudsFile: b.flags.CloudsFile, Interface: "private"}, nil, []string{"--os-interface", "private"}, true},
		{"app credential without secret", Account{}, map[string]string{"OS_AUTH_URL": authURL, "OS_APPLICATION_CREDENTIAL_ID": "x"}, []string{"OS_APPLICATION_CREDENTIAL_SECRET"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := Connect(context.Background(), tc.account, slog.New(slog.DiscardHandler), b.tune)
			if err == nil {
				t.Fatal("connected")
			}
			t.Log(err)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%v: lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), testPassword) {
				t.Errorf("the error holds the password: %v", err)
			}
			if tc.usage && !platform.IsUsage(err) {
				t.Errorf("not a usage error: %v", err)
			}
		})
	}
}

// A world-readable credentials file is named in a warning.
func TestWarnsOfReadableFile(t *testing.T) {
	b := startSim(t, sim.Options{})
	clearEnv(t)
	secure := filepath.Join(filepath.Dir(b.flags.CloudsFile), "secure.yaml")
	os.Chmod(secure, 0o644)
	var buf strings.Builder
	if _, err := Connect(context.Background(), b.flags.Account, slog.New(slog.NewTextHandler(&buf, nil)), b.tune); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "secure.yaml") || strings.Contains(buf.String(), testPassword) {
		t.Errorf("log: %s", buf.String())
	}
}
