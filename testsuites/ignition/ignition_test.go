package ignition

import (
	"slices"
	"testing"

	"github.com/strata-os/strata/core/register"
)

// The suite's tests register cleanly (valid names, Ignition configs and
// flags), each for the distros Ignition configures.
func TestRegistered(t *testing.T) {
	if err := register.Default.Err(); err != nil {
		t.Fatal(err)
	}
	names := []string{"ignition.files", "ignition.systemd.units", "ignition.users", "ignition.remote.verified", "ignition.remote.badhash",
		"ignition.config.merge", "ignition.files.compressed", "ignition.firstboot.once", "ignition.users.existing", "ignition.storage.filesystem",
		"ignition.storage.partitions"}
	for _, name := range names {
		test, ok := register.Default.Get(name)
		if !ok {
			t.Errorf("%s not registered", name)
			continue
		}
		if want := distros; !slices.Equal(test.Distros, want) {
			t.Errorf("%s runs on %v, want %v", name, test.Distros, want)
		}
	}
}
