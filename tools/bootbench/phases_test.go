package main

import (
	"testing"
	"time"
)

func TestParseStartup(t *testing.T) {
	for _, tc := range []struct {
		out          string
		kernel, user time.Duration
		wantErr      bool
	}{
		{"Startup finished in 8.682s (kernel) + 14.332s (userspace) = 23.014s \ngraphical.target reached after 14.026s in userspace.\n", 8682 * time.Millisecond, 14332 * time.Millisecond, false},
		{"Startup finished in 934ms (kernel) + 1min 2.5s (userspace) = 1min 3.434s\n", 934 * time.Millisecond, 62500 * time.Millisecond, false},
		{"Bootup is not yet finished (org.freedesktop.systemd1.Manager.FinishTimestampMonotonic=0).\n", 0, 0, true},
	} {
		k, u, err := parseStartup(tc.out)
		if (err != nil) != tc.wantErr || k != tc.kernel || u != tc.user {
			t.Errorf("parseStartup(%q) = %v, %v, %v; want %v, %v, error %v", tc.out, k, u, err, tc.kernel, tc.user, tc.wantErr)
		}
	}
}
