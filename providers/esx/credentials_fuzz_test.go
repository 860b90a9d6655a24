package esx

import (
	"log/slog"
	"testing"

	"github.com/strata-os/strata/core/cloud/credfuzz"
)

// FuzzCredentialsFile: the account's file as a person may have written
// it (see credfuzz).
func FuzzCredentialsFile(f *testing.F) {
	credfuzz.File(f, "govc.yaml", []string{"server: https://vc.example.com/sdk\nuser: u\npassword: fuzz-canary\ndatacenter: dc\ninsecure: true\n", "ca-file: /nope.pem\n", "password: [\n", ""}, func(path string) error {
		_, err := Account{ConfigFile: path}.options(slog.New(slog.DiscardHandler))
		return err
	})
}
