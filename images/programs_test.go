package images

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLocatePrograms(t *testing.T) {
	dir := t.TempDir()
	ign := filepath.Join(dir, "ignition")
	bus := filepath.Join(dir, "strata-initrd-bus")
	for _, f := range []string{ign, bus} {
		if err := os.WriteFile(f, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	flags := map[string]string{ProgramIgnition: "--ign", ProgramInitrdBus: "--bus", ProgramAgent: "--agent"}
	tests := []struct {
		name    string
		image   string
		opts    Options
		wantErr string // "" for none
	}{
		{"both given", "ignition", Options{Ignition: ign, InitrdBus: bus}, ""},
		{"bus missing", "ignition", Options{Ignition: ign, InitrdBus: filepath.Join(dir, "nope")}, "strata-initrd-bus binary: " + filepath.Join(dir, "nope") + " not found (./ci/build.sh builds it into bin/, or pass --bus)"},
		{"ignition not given and not beside the test", "ignition", Options{InitrdBus: bus}, "or pass --ign"},
		{"agent not given and not beside the test", "minimal", Options{}, "or pass --agent"},
		{"debian needs none", "debian", Options{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			err := LocatePrograms(tc.image, &opts, flags)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to say %q", err, tc.wantErr)
			}
		})
	}
}
