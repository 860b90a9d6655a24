package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLinkUp(t *testing.T) {
	sysNet := t.TempDir()
	for _, tc := range []struct {
		name, iface string
		wait        time.Duration
		want        string // in the error; "" for none
	}{
		{"empty name", "", 0, "not a network interface name"},
		{"a path", "../eth0", 0, "not a network interface name"},
		{"too long", "abcdefghijklmnopq", 0, "not a network interface name"},
		{"never appears", "eth9", 100 * time.Millisecond, "interface eth9: none appeared in 100ms"},
		// lo is up on every machine: nothing to set, no privilege needed.
		{"already up", "lo", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := sysNet
			if tc.iface == "lo" {
				dir = "/sys/class/net"
			}
			err := linkUp(tc.iface, dir, tc.wait)
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Errorf("linkUp(%q) = %v, want %q", tc.iface, err, tc.want)
			}
		})
	}
}

// A card that appears while linkUp waits is taken: here one that is not
// a real interface, so setting it up fails naming it, after the wait.
func TestLinkUpWaitsForTheCard(t *testing.T) {
	sysNet := t.TempDir()
	go func() {
		time.Sleep(200 * time.Millisecond)
		os.Mkdir(filepath.Join(sysNet, "strata0"), 0o755)
	}()
	err := linkUp("strata0", sysNet, 5*time.Second)
	if err == nil || !strings.Contains(err.Error(), "interface strata0: read its flags") {
		t.Errorf("linkUp = %v, want the flags of strata0 unreadable", err)
	}
}

func TestLinkUpMainUsage(t *testing.T) {
	var out strings.Builder
	if code := linkUpMain(nil, &out); code != 2 || !strings.Contains(out.String(), "usage: strata-link-up IFACE") {
		t.Errorf("no arguments: exit %d, %q", code, out.String())
	}
}
