package do

import (
	"log/slog"
	"testing"

	"github.com/strata-os/strata/core/cloud/credfuzz"
)

// FuzzCredentialsFile: the account's file as a person may have written
// it (see credfuzz).
func FuzzCredentialsFile(f *testing.F) {
	credfuzz.File(f, "config.yaml", []string{"access-token: dop_v1_fuzz\n", "context: work\nauth-contexts:\n  work: dop_v1_w\n  home: dop_v1_h\n", "auth-contexts: [\n", ""}, func(path string) error {
		_, err := Account{ConfigFile: path}.token(slog.New(slog.DiscardHandler))
		return err
	})
}
