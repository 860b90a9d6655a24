package packet

import (
	"log/slog"
	"testing"

	"github.com/strata-os/strata/core/cloud/credfuzz"
)

// FuzzCredentialsFile: the account's file as a person may have written
// it (see credfuzz).
func FuzzCredentialsFile(f *testing.F) {
	credfuzz.File(f, "metal.yaml", []string{"token: fuzz-canary\nproject-id: 4b6e7fbe-2f1e-4c5e-9a3b-1a2b3c4d5e6f\n", "token: [\n", "project-id: nope\n", ""}, func(path string) error {
		_, err := Account{ConfigFile: path}.options(slog.New(slog.DiscardHandler))
		return err
	})
}
