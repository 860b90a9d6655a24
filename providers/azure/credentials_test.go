package azure

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io/fs"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/sim"
)

func TestLoadCredentials(t *testing.T) {
	for _, tc := range []struct {
		name, file         string
		wantErr            string // "" if it loads
		wantTenant, wantID string
		wantSub            string
	}{
		{"sdk auth file", `{"clientId":"c","clientSecret":"` + testSecret + `","tenantId":"t","subscriptionId":"s","activeDirectoryEndpointUrl":"https://login.microsoftonline.com"}`, "", "t", "c", "s"},
		{"service principal", `{"appId":"c","displayName":"kola","password":"` + testSecret + `","tenant":"t"}`, "", "t", "c", ""},
		{"no tenant", `{"clientId":"c","clientSecret":"` + testSecret + `"}`, "tenantId is empty", "", "", ""},
		{"no secret", `{"clientId":"c","tenantId":"t"}`, "neither clientSecret nor clientCertificate", "", "", ""},
		{"no password", `{"appId":"c","tenant":"t"}`, "password is empty", "", "", ""},
		{"missing certificate", `{"clientId":"c","tenantId":"t","clientCertificate":"missing.pem"}`, "clientCertificate:", "", "", ""},
		{"wrong type", `{"clientId":5}`, "field clientId: want a string", "", "", ""},
		{"not json", `clientId=c`, "not JSON", "", "", ""},
		{"another format", `{"accessToken":"x"}`, "neither an SDK auth file", "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "auth.json")
			if err := os.WriteFile(p, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := loadCredentials(p, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), p) {
					t.Fatalf("error %v, want one naming %s and saying %q", err, p, tc.wantErr)
				}
				if strings.Contains(err.Error(), testSecret) {
					t.Errorf("the error carries the secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.cred.TenantID != tc.wantTenant || c.cred.ClientID != tc.wantID || c.cred.ClientSecret != testSecret || c.subscription != tc.wantSub {
				t.Errorf("loaded tenant %q client %q subscription %q (secret set %v)", c.cred.TenantID, c.cred.ClientID, c.subscription, c.cred.ClientSecret != "")
			}
		})
	}
}

func TestWorldReadableCredentialsWarn(t *testing.T) {
	p := filepath.Join(t.TempDir(), "auth.json")
	if err := os.WriteFile(p, []byte(`{"clientId":"c","clientSecret":"`+testSecret+`","tenantId":"t"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	if _, err := loadCredentials(p, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "readable by every user") || !strings.Contains(logs.String(), p) {
		t.Errorf("no warning naming the file: %q", logs.String())
	}
	os.Chmod(p, 0o600)
	logs.Reset()
	loadCredentials(p, slog.New(slog.NewTextHandler(&logs, nil)))
	if logs.Len() != 0 {
		t.Errorf("a private file warned: %q", logs.String())
	}
}

func TestEnvironmentCredentials(t *testing.T) {
	t.Setenv("AZURE_TENANT_ID", "t")
	t.Setenv("AZURE_CLIENT_ID", "")
	t.Setenv("AZURE_CLIENT_SECRET", testSecret)
	t.Setenv("AZURE_CLIENT_CERTIFICATE_PATH", "")
	if _, err := loadCredentials("", nil); err == nil || !strings.Contains(err.Error(), "AZURE_CLIENT_ID") {
		t.Errorf("without AZURE_CLIENT_ID: %v", err)
	}
	t.Setenv("AZURE_CLIENT_ID", "c")
	t.Setenv("AZURE_SUBSCRIPTION_ID", "sub")
	c, err := loadCredentials("", nil)
	if err != nil || !c.cred.FromEnvironment || c.subscription != "sub" {
		t.Errorf("from the environment: %+v, %v", c, err)
	}
	t.Setenv("AZURE_CLIENT_SECRET", "")
	t.Setenv("AZURE_CLIENT_CERTIFICATE_PATH", filepath.Join(t.TempDir(), "missing.pem"))
	if _, err := loadCredentials("", nil); err == nil || !strings.Contains(err.Error(), "AZURE_CLIENT_CERTIFICATE_PATH") {
		t.Errorf("a missing certificate file: %v", err)
	}
}

// The environment credential signs in against the simulator too.
func TestEnvironmentCredentialSignsIn(t *testing.T) {
	b := startSim(t, sim.Options{})
	t.Setenv("AZURE_TENANT_ID", b.s.Tenant())
	t.Setenv("AZURE_CLIENT_ID", "strata-test-app")
	t.Setenv("AZURE_CLIENT_SECRET", testSecret)
	t.Setenv("AZURE_CLIENT_CERTIFICATE_PATH", "")
	t.Setenv("AZURE_SUBSCRIPTION_ID", b.s.Subscription())
	b.flags.AuthFile = ""
	f, err := b.NewFlight(context.Background(), platform.FlightOptions{Name: "env", OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Destroy(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := b.s.Clients(); len(got) != 1 || got[0] != "strata-test-app" {
		t.Errorf("signed in as %v", got)
	}
}

// A canary secret goes through a whole flight and a refused sign-in: it
// is in no log line, no error and no file of the output directory, and
// no flag takes a secret (so none is in argv).
func TestSecretNeverLeaks(t *testing.T) {
	b := startSim(t, sim.Options{})
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	out := t.TempDir()
	ctx := context.Background()
	f, err := b.NewFlight(ctx, platform.FlightOptions{Name: "canary", OutputDir: out, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "c", OutputDir: filepath.Join(out, "c")})
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.NewMachine(ctx, conf.Script("#!/bin/sh\necho hi\n"))
	if err != nil {
		t.Fatal(err)
	}
	_ = m.ConsoleOutput(ctx)
	if err := f.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	// A secret Entra ID refuses.
	wrong := writeAuthFile(t, map[string]string{"clientId": "strata-test-app", "clientSecret": testSecret + "-wrong", "tenantId": b.s.Tenant(), "subscriptionId": b.s.Subscription()})
	b.flags.AuthFile = wrong
	_, err = b.NewFlight(ctx, platform.FlightOptions{Name: "refused", OutputDir: t.TempDir(), Logger: log})
	if err == nil || !strings.Contains(err.Error(), "AADSTS7000215") {
		t.Fatalf("a wrong secret: %v, want Entra ID's refusal", err)
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("the error carries the secret: %v", err)
	}
	if strings.Contains(logs.String(), testSecret) {
		t.Errorf("the logs carry the secret:\n%s", logs.String())
	}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(testSecret)) {
				t.Errorf("%s carries the secret", p)
			}
		}
		return nil
	})
	ft := reflect.TypeOf(Flags{})
	for _, sf := range reflect.VisibleFields(ft) {
		name := strings.ToLower(sf.Tag.Get("name"))
		if strings.Contains(name, "secret") || strings.Contains(name, "password") || strings.Contains(name, "token") {
			t.Errorf("flag --%s takes a secret on the command line", name)
		}
	}
}

// rsaCertificate makes a self-signed certificate and writes it with its
// key as one PEM file, as `az ad sp create-for-rbac --create-cert` does.
func rsaCertificate(t *testing.T) (*x509.Certificate, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "strata-test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	p := filepath.Join(t.TempDir(), "sp.pem")
	pemBytes := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)
	if err := os.WriteFile(p, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, p
}

// A service principal with a certificate signs in through azidentity's
// real certificate flow (a client assertion the simulator verifies),
// from an auth file and from the environment; a certificate that is not
// the application's is refused with Entra's code.
func TestCertificateSignsIn(t *testing.T) {
	b := startSim(t, sim.Options{})
	cert, certFile := rsaCertificate(t)
	b.s.AddClientCertificate("strata-cert-app", cert)
	ctx := context.Background()
	groups := func(a Account) error {
		c, err := Connect(ctx, a, slog.New(slog.DiscardHandler), b.tune)
		if err != nil {
			return err
		}
		_, err = c.Groups(ctx, "", "")
		return err
	}
	acct := b.flags.Account
	acct.AuthFile = writeAuthFile(t, map[string]string{"clientId": "strata-cert-app", "clientCertificate": certFile, "tenantId": b.s.Tenant(), "subscriptionId": b.s.Subscription()})
	if err := groups(acct); err != nil {
		t.Fatalf("certificate from an auth file: %v", err)
	}
	t.Setenv("AZURE_TENANT_ID", b.s.Tenant())
	t.Setenv("AZURE_CLIENT_ID", "strata-cert-app")
	t.Setenv("AZURE_CLIENT_SECRET", "")
	t.Setenv("AZURE_CLIENT_CERTIFICATE_PATH", certFile)
	t.Setenv("AZURE_SUBSCRIPTION_ID", b.s.Subscription())
	env := b.flags.Account
	env.AuthFile = ""
	if err := groups(env); err != nil {
		t.Fatalf("certificate from the environment: %v", err)
	}
	if got := b.s.Clients(); len(got) != 1 || got[0] != "strata-cert-app" {
		t.Errorf("signed in as %v", got)
	}
	_, otherFile := rsaCertificate(t)
	acct.AuthFile = writeAuthFile(t, map[string]string{"clientId": "strata-cert-app", "clientCertificate": otherFile, "tenantId": b.s.Tenant(), "subscriptionId": b.s.Subscription()})
	if err := groups(acct); err == nil || !strings.Contains(err.Error(), "AADSTS700027") {
		t.Errorf("another certificate: %v, want AADSTS700027", err)
	}
}
