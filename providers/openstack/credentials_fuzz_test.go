package openstack

import (
	"log/slog"
	"testing"

	"github.com/strata-os/strata/core/cloud/credfuzz"
)

// FuzzCredentialsFile: the account's file as a person may have written
// it (see credfuzz).
func FuzzCredentialsFile(f *testing.F) {
	credfuzz.File(f, "clouds.yaml", []string{"clouds:\n  fuzz:\n    auth:\n      auth_url: https://keystone.example.com/v3\n      username: u\n      password: fuzz-canary\n      project_name: p\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n", "clouds:\n  fuzz:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: https://k/v3\n      application_credential_id: i\n      application_credential_secret: s\n", "clouds: [\n", "clouds:\n  other: {}\n", ""}, func(path string) error {
		_, err := Account{Cloud: "fuzz", CloudsFile: path}.options(slog.New(slog.DiscardHandler))
		return err
	})
}
