package credfuzz

import (
	"errors"
	"fmt"
	"os"
	"testing"
)

func TestNamesFile(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, true},
		{fmt.Errorf("--x-file /tmp/a/creds: line 3: bad"), true},
		{errors.New("no project: pass --x-project"), false},
	} {
		if got := namesFile(tc.err, "/tmp/a/creds"); got != tc.want {
			t.Errorf("namesFile(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// A reader that names the file on every error passes on its seeds.
func FuzzReader(f *testing.F) {
	File(f, "creds", []string{"ok", "bad"}, func(path string) error {
		b, err := os.ReadFile(path)
		if err != nil || string(b) != "bad" {
			return err
		}
		return fmt.Errorf("%s: bad", path)
	})
}
