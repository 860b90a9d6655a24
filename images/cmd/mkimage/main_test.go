package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestExpandParamFile(t *testing.T) {
	dir := t.TempDir()
	params := filepath.Join(dir, "params")
	if err := os.WriteFile(params, []byte("-image\nignition\n-deb\nexternal/a b.deb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		want    []string
		wantErr string
	}{
		{"param file", []string{"@" + params}, []string{"-image", "ignition", "-deb", "external/a b.deb"}, ""},
		{"plain arguments", []string{"-image", "minimal"}, []string{"-image", "minimal"}, ""},
		{"@ among others is an argument", []string{"-out", "@x"}, []string{"-out", "@x"}, ""},
		{"missing file", []string{"@" + filepath.Join(dir, "gone")}, nil, "read arguments"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := expandParamFile(tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("expandParamFile(%q) = %q, %v; want %q", tc.args, got, err, tc.want)
			}
		})
	}
}
