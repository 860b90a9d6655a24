package azure

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/strata-os/strata/providers/azure/api"
)

// credentials are what an --azure-auth file or the environment says.
type credentials struct {
	cred         api.Credential
	subscription string // "" if the source names none
}

// authFile is the union of the two files Azure users have for a service
// principal: the SDK auth file `az ad sp create-for-rbac --sdk-auth`
// writes (clientId, clientSecret, tenantId, subscriptionId; the one
// mantle's azureAuth.json is), and the service principal JSON plain `az
// ad sp create-for-rbac` prints (appId, password, tenant).
type authFile struct {
	ClientID                  string `json:"clientId"`
	ClientSecret              string `json:"clientSecret"`
	ClientCertificate         string `json:"clientCertificate"`
	ClientCertificatePassword string `json:"clientCertificatePassword"`
	TenantID                  string `json:"tenantId"`
	SubscriptionID            string `json:"subscriptionId"`

	AppID    string `json:"appId"`
	Password string `json:"password"`
	Tenant   string `json:"tenant"`
}

// loadCredentials reads the --azure-auth file, or, without one, defers
// to azidentity's environment credential (AZURE_TENANT_ID,
// AZURE_CLIENT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)
// after checking that its variables are there. Errors name the file and
// field, or the variable; no error or log line carries a secret.
func loadCredentials(path string, log *slog.Logger) (*credentials, error) {
	if path == "" {
		return envCredentials()
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--azure-auth: %w", err)
	}
	if fi.Mode().Perm()&0o004 != 0 && log != nil {
		log.Warn("azure credentials file is readable by every user of this machine (chmod 600 it)", "file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--azure-auth: %w", err)
	}
	var f authFile
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&f); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("--azure-auth %s: not JSON (at byte %d): %s", path, se.Offset, se.Error())
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("--azure-auth %s: field %s: want a %s", path, te.Field, te.Type)
		}
		return nil, fmt.Errorf("--azure-auth %s: not JSON", path)
	}
	c := &credentials{subscription: f.SubscriptionID}
	switch {
	case f.ClientID != "" || f.TenantID != "":
		c.cred = api.Credential{TenantID: f.TenantID, ClientID: f.ClientID, ClientSecret: f.ClientSecret}
		if f.ClientSecret == "" && f.ClientCertificate != "" {
			cert := f.ClientCertificate
			if !filepath.IsAbs(cert) {
				cert = filepath.Join(filepath.Dir(path), cert)
			}
			pem, err := os.ReadFile(cert)
			if err != nil {
				return nil, fmt.Errorf("--azure-auth %s: clientCertificate: %w", path, err)
			}
			c.cred.Certificate, c.cred.CertificatePass, c.cred.CertificateNamed = pem, f.ClientCertificatePassword, cert
		}
		for _, req := range []struct{ field, value string }{{"tenantId", f.TenantID}, {"clientId", f.ClientID}} {
			if req.value == "" {
				return nil, fmt.Errorf("--azure-auth %s: %s is empty", path, req.field)
			}
		}
		if c.cred.ClientSecret == "" && len(c.cred.Certificate) == 0 {
			return nil, fmt.Errorf("--azure-auth %s: neither clientSecret nor clientCertificate is set", path)
		}
	case f.AppID != "" || f.Tenant != "" || f.Password != "":
		c.cred = api.Credential{TenantID: f.Tenant, ClientID: f.AppID, ClientSecret: f.Password}
		for _, req := range []struct{ field, value string }{{"tenant", f.Tenant}, {"appId", f.AppID}, {"password", f.Password}} {
			if req.value == "" {
				return nil, fmt.Errorf("--azure-auth %s: %s is empty", path, req.field)
			}
		}
	default:
		return nil, fmt.Errorf("--azure-auth %s: neither an SDK auth file (clientId, clientSecret, tenantId) nor a service principal (appId, password, tenant)", path)
	}
	return c, nil
}

// envCredentials checks azidentity's environment variables, so that a
// missing one is named before any call.
func envCredentials() (*credentials, error) {
	for _, v := range []string{"AZURE_TENANT_ID", "AZURE_CLIENT_ID"} {
		if os.Getenv(v) == "" {
			return nil, fmt.Errorf("no credentials: pass --azure-auth FILE, or set %s (with AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)", v)
		}
	}
	if os.Getenv("AZURE_CLIENT_SECRET") == "" && os.Getenv("AZURE_CLIENT_CERTIFICATE_PATH") == "" {
		return nil, errors.New("no credentials: AZURE_CLIENT_ID is set but neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH")
	}
	if p := os.Getenv("AZURE_CLIENT_CERTIFICATE_PATH"); p != "" && os.Getenv("AZURE_CLIENT_SECRET") == "" {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("AZURE_CLIENT_CERTIFICATE_PATH: %w", err)
		}
	}
	return &credentials{cred: api.Credential{FromEnvironment: true}, subscription: os.Getenv("AZURE_SUBSCRIPTION_ID")}, nil
}
