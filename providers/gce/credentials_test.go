package gce

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/gce/sim"
)

// serviceAccountKey writes a service account key file whose token
// endpoint is tokenURI, and returns its path and private key PEM.
func serviceAccountKey(t *testing.T, tokenURI string, mode os.FileMode) (string, string) {
	t.Helper()
	pemKey := newPEMKey(t)
	return writeServiceAccountKey(t, tokenURI, pemKey, mode), pemKey
}

// newPEMKey is a new RSA private key, PKCS #8 in PEM, as Google's keys are.
func newPEMKey(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// writeServiceAccountKey writes a key file holding pemKey whose token
// endpoint is tokenURI, and returns its path.
func writeServiceAccountKey(t *testing.T, tokenURI, pemKey string, mode os.FileMode) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "strata-sim", "private_key_id": "k1", "private_key": pemKey,
		"client_email": "kola@strata-sim.iam.gserviceaccount.com", "client_id": "1", "token_uri": tokenURI,
	})
	path := filepath.Join(t.TempDir(), "key.json")
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// A service account key is used the way Google's client uses it — a
// signed assertion exchanged at the key's token endpoint for a bearer
// token — against a simulator that refuses calls without one; the project
// comes from the key, and no part of the key reaches the log.
func TestServiceAccountKey(t *testing.T) {
	s := sim.New(sim.Options{RequireAuth: true})
	f := simFlags(t, s)
	path, pemKey := serviceAccountKey(t, f.Endpoint+"/token", 0o644)
	f.CredentialsFile, f.Project = path, ""
	var logs bytes.Buffer
	fl, err := newFlight(context.Background(), f, platform.FlightOptions{Name: "auth", OutputDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(&logs, nil))}, fastRetries)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(context.Background())
	if got := s.Accounts(); !slices.Contains(got, "kola@strata-sim.iam.gserviceaccount.com") {
		t.Errorf("tokens issued to %v", got)
	}
	if !strings.Contains(logs.String(), "credentials file can be read by others") || !strings.Contains(logs.String(), path) {
		t.Errorf("no warning for a world-readable key:\n%s", logs.String())
	}
	body := strings.Split(pemKey, "\n")[1]
	if strings.Contains(logs.String(), body) || strings.Contains(logs.String(), "PRIVATE KEY") {
		t.Errorf("the key reached the log:\n%s", logs.String())
	}

	// Without the key the same simulator refuses, with Google's message.
	f.CredentialsFile, f.Project = "", "strata-sim"
	if _, err := newFlight(context.Background(), f, platform.FlightOptions{Name: "noauth", OutputDir: t.TempDir()}, fastRetries); err == nil || !strings.Contains(err.Error(), "missing required authentication credential") {
		t.Errorf("without credentials: %v", err)
	}
}

func TestCredentialsFileErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	const secret = "s3cr3t-refresh-token"
	for _, tc := range []struct {
		path string
		want string
	}{
		{filepath.Join(dir, "missing.json"), "missing.json (--gce-json-key): stat"},
		{write("broken.json", "{\n\"type\": \"authorized_user\",\n\"refresh_token\": \""+secret+"\"\n,,}"), "broken.json (--gce-json-key) is not JSON: line 4"},
		{write("array.json", "[]"), "the top level is not an object"},
		{write("notype.json", `{"client_id": "x"}`), `notype.json (--gce-json-key): field "type" is missing`},
		{write("external.json", `{"type": "external_account"}`), `field "type" is "external_account"; strata takes service_account or authorized_user`},
		{write("user.json", `{"type": "authorized_user", "client_id": "x", "refresh_token": "`+secret+`"}`), `authorized_user credentials need field "client_secret"`},
		{write("sa.json", `{"type": "service_account", "client_email": "a@b", "private_key": "`+secret+`", "token_uri": "https://oauth2.googleapis.com/token"}`), `field "private_key" is not a PEM key`},
	} {
		_, err := loadCredentials(tc.path, false, slog.Default())
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.path) {
			t.Errorf("%s: %v, want %q", filepath.Base(tc.path), err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%s: the secret is in the error: %v", filepath.Base(tc.path), err)
		}
	}
	// GOOGLE_APPLICATION_CREDENTIALS is read for Google's endpoint, and
	// never for another (a simulator must not see real credentials).
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(dir, "env.json"))
	if _, err := loadCredentials("", false, slog.Default()); err == nil || !strings.Contains(err.Error(), "env.json (GOOGLE_APPLICATION_CREDENTIALS)") {
		t.Errorf("env credentials: %v", err)
	}
	if c, err := loadCredentials("", true, slog.Default()); c != nil || err != nil {
		t.Errorf("env credentials with an endpoint: %v, %v", c, err)
	}
}
