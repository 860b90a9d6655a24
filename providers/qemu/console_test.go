package qemu

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadySignal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		prefix string
		chunks []string
		want   bool
	}{
		{"whole line", "strata-init: ssh ready", []string{"boot\r\nstrata-init: ssh ready (1.5s)\r\n"}, true},
		{"split across reads", "strata-init: ssh ready", []string{"strata-in", "it: ssh re", "ady (1.5s)"}, true},
		{"at the start of the first line", "ready", []string{"ready"}, true},
		{"not at a line start", "strata-init: ssh ready", []string{"echo strata-init: ssh ready\n"}, false},
		{"other lines", "strata-init: ssh ready", []string{"strata-init: ssh starting\nstrata-init: ssh rea\n"}, false},
		{"no prefix: never", "", []string{"strata-init: ssh ready\n"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReadySignal(tc.prefix)
			for _, c := range tc.chunks {
				if n, err := r.Write([]byte(c)); n != len(c) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			got := len(r.wake) == 1
			if got != tc.want {
				t.Errorf("woke = %v, want %v", got, tc.want)
			}
		})
	}
}

// The private network's socket stays in the cluster's directory unless
// that path is too long for a unix socket (Bazel's deep TEST_TMPDIR).
func TestHubSocketPath(t *testing.T) {
	short := &cluster{dir: t.TempDir()}
	p, err := short.hubSocket()
	if err != nil || p != filepath.Join(short.dir, "hub.sock") || short.hubDir != "" {
		t.Errorf("short dir: %q, %v (hubDir %q)", p, err, short.hubDir)
	}
	long := &cluster{dir: filepath.Join(t.TempDir(), strings.Repeat("d", 120))}
	p, err = long.hubSocket()
	if err != nil || len(p) > maxSocketPath || long.hubDir == "" || filepath.Dir(p) != long.hubDir {
		t.Fatalf("long dir: %q, %v (hubDir %q)", p, err, long.hubDir)
	}
	defer os.RemoveAll(long.hubDir)
	h, err := newHub(p)
	if err != nil {
		t.Fatalf("listen on %s: %v", p, err)
	}
	h.Close()
	if again, _ := long.hubSocket(); again != p {
		t.Errorf("second call gave %q, want %q", again, p)
	}
}

func TestLastLines(t *testing.T) {
	for _, tc := range []struct {
		text string
		n    int
		want string
	}{
		{"", 3, ""},
		{"one\n", 3, "one"},
		{"a\nb\n\n  \nc\r\nd\n\n", 3, "b | c | d"},
		{"strata-ignition: Ignition failed in stage disks; see its log above\r\n", 1, "strata-ignition: Ignition failed in stage disks; see its log above"},
	} {
		if got := lastLines(tc.text, tc.n); got != tc.want {
			t.Errorf("lastLines(%q, %d) = %q, want %q", tc.text, tc.n, got, tc.want)
		}
	}
}
