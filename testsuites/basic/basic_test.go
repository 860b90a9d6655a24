package basic

import (
	"testing"

	"github.com/strata-os/strata/core/register"
)

// The suite's tests register cleanly (valid names, userdata and flags).
func TestRegistered(t *testing.T) {
	if err := register.Default.Err(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"basic.ssh", "basic.reboot", "basic.native"} {
		if _, ok := register.Default.Get(name); !ok {
			t.Errorf("%s not registered", name)
		}
	}
	if err := checkHostname(); err != nil {
		t.Errorf("native function fails on this host: %v", err)
	}
}
