package gce

import (
	"log/slog"
	"testing"

	"github.com/strata-os/strata/core/cloud/credfuzz"
)

// FuzzCredentialsFile: the account's file as a person may have written
// it (see credfuzz).
func FuzzCredentialsFile(f *testing.F) {
	credfuzz.File(f, "key.json", []string{`{"type":"service_account","project_id":"p","private_key_id":"k","private_key":"-----BEGIN PRIVATE KEY-----\\nfuzz\\n-----END PRIVATE KEY-----\\n","client_email":"a@p.iam.gserviceaccount.com","token_uri":"https://oauth2.googleapis.com/token"}`, `{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}`, `{"type":`, `[]`, ""}, func(path string) error {
		_, err := loadCredentials(path, true, slog.New(slog.DiscardHandler))
		return err
	})
}
