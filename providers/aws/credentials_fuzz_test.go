package aws

import (
	"testing"

	"github.com/strata-os/strata/core/cloud/credfuzz"
)

// FuzzCredentialsFile: the account's file as a person may have written
// it (see credfuzz).
func FuzzCredentialsFile(f *testing.F) {
	credfuzz.File(f, "credentials", []string{"[default]\naws_access_key_id = AKIAFUZZ\naws_secret_access_key = fuzz-canary\n", "[a]\nregion=us-east-1\n[b]\n", "key = before any profile\n", "[]\n", ""}, func(path string) error {
		_, err := parseCredentials(path)
		return err
	})
}
