// Package credfuzz fuzzes how a provider reads its account's file (a
// credentials file, a CLI's config): whatever the file holds, reading it
// must not panic, and an error must name the file it is about.
package credfuzz

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// File runs f over files named name holding the seeds and what the
// fuzzer makes of them; read reads one at path as the provider does.
func File(f *testing.F, name string, seeds []string, read func(path string) error) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := read(path); !namesFile(err, path) {
			t.Errorf("the error does not name the file: %v", err)
		}
	})
}

// namesFile says whether err is nil or names path.
func namesFile(err error, path string) bool { return err == nil || strings.Contains(err.Error(), path) }
