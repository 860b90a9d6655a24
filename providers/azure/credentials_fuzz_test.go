package azure

import (
	"log/slog"
	"testing"

	"github.com/strata-os/strata/core/cloud/credfuzz"
)

// FuzzCredentialsFile: the account's file as a person may have written
// it (see credfuzz).
func FuzzCredentialsFile(f *testing.F) {
	credfuzz.File(f, "azureAuth.json", []string{`{"clientId":"c","clientSecret":"fuzz-canary","tenantId":"t","subscriptionId":"s"}`, `{"appId":"c","password":"p","tenant":"t"}`, `{"clientId":"c","clientCertificate":"/nope.pem","tenantId":"t"}`, `{`, ""}, func(path string) error {
		_, err := loadCredentials(path, slog.New(slog.DiscardHandler))
		return err
	})
}
