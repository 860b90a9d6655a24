package exttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Any kola.json and inline header: no panic, and an error names the file.
func FuzzMetadata(f *testing.F) {
	f.Add(`{"exclusive": false, "tags": "smoke"}`, "## kola:\n##   platforms: qemu\n##   timeoutMin: 3\n")
	f.Add(`{"exclusive": "no"}`, "# kola: {\"architectures\": \"!s390x\"}\n")
	f.Add(`[]`, "## kola:\n##   [a]\n")
	f.Add(``, "## kola:\n##   additionalDisks: [5G]\n##   requiredHostPorts: [80, 443]\n##   creationDate: 2026-13-01\n")
	f.Fuzz(func(t *testing.T, kolaJSON, header string) {
		dir := filepath.Join(t.TempDir(), "ext")
		test := filepath.Join(dir, "tests", "kola", "t")
		if err := os.MkdirAll(test, 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(test, "test"), []byte("#!/bin/sh\n"+header+"true\n"), 0o755)
		if kolaJSON != "" {
			os.WriteFile(filepath.Join(test, "kola.json"), []byte(kolaJSON), 0o644)
		}
		tests, err := Discover(dir)
		if err != nil {
			if !strings.Contains(err.Error(), test) {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		for _, tt := range tests {
			_, _ = tt.Test()
		}
	})
}
