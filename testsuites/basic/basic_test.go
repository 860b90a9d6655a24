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
	for _, name := range []string{"basic.ssh", "basic.reboot", "basic.native", "basic.cluster", "basic.userdata.script", "basic.userdata.cloudconfig", "basic.systemd.running"} {
		if _, ok := register.Default.Get(name); !ok {
			t.Errorf("%s not registered", name)
		}
	}
	if err := checkHostname(); err != nil {
		t.Errorf("native function fails on this host: %v", err)
	}
}

// The cluster test's native functions talk to each other on this host.
func TestServeAndDial(t *testing.T) {
	go func() { _ = serveHostname() }()
	t.Setenv("STRATA_PEER", "127.0.0.1:"+clusterPort)
	if err := dialPeer(); err != nil {
		t.Fatal(err)
	}
	t.Setenv("STRATA_PEER", "")
	if err := dialPeer(); err == nil {
		t.Error("dial without a peer succeeded")
	}
}
