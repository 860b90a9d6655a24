package hosttool

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestEnviron(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   []string
		want string // the PATH entry in the result
	}{
		{"appended", []string{"HOME=/h", "PATH=/usr/bin:/bin"}, "PATH=/usr/bin:/bin:/usr/sbin:/sbin"},
		{"kept once", []string{"PATH=/sbin:/usr/bin"}, "PATH=/sbin:/usr/bin:/usr/sbin"},
		{"no PATH", []string{"HOME=/h"}, "PATH=/usr/sbin:/sbin"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := slices.Clone(tc.in)
			got := Environ(in)
			if !slices.Equal(in, tc.in) {
				t.Errorf("Environ changed its argument: %q", in)
			}
			var paths []string
			for _, kv := range got {
				if strings.HasPrefix(kv, "PATH=") {
					paths = append(paths, kv)
				}
			}
			if len(paths) != 1 || paths[0] != tc.want {
				t.Errorf("Environ(%q) PATH entries %q, want [%q]", tc.in, paths, tc.want)
			}
			if !slices.Contains(got, "HOME=/h") && slices.Contains(tc.in, "HOME=/h") {
				t.Errorf("Environ(%q) lost HOME: %q", tc.in, got)
			}
		})
	}
}

func TestPathFallsBackToSbin(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "strata-test-tool")
	if err := os.WriteFile(tool, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "not-executable"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	old := sbinDirs
	sbinDirs = []string{filepath.Join(dir, "missing"), dir}
	t.Cleanup(func() { sbinDirs = old })
	t.Setenv("PATH", "/nonexistent")

	if got, err := Path("strata-test-tool"); err != nil || got != tool {
		t.Errorf("Path(strata-test-tool) = %q, %v; want %q", got, err, tool)
	}
	_, err := Path("not-executable")
	if err == nil || !strings.Contains(err.Error(), "not-executable not found") || !strings.Contains(err.Error(), dir) {
		t.Errorf("Path(not-executable) error %v, want one naming the program and the directories", err)
	}
}
