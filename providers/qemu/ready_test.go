package qemu

import (
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
