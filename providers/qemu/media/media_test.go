package media

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// blkid says what the guest's blkid (and so Ignition) sees.
func blkid(t *testing.T, disc, tag string) string {
	t.Helper()
	out, err := exec.Command("blkid", "-p", "-s", tag, "-o", "value", disc).Output()
	if err != nil {
		t.Skipf("blkid: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func TestWrite(t *testing.T) {
	files := map[string][]byte{
		"ovf-env.xml":                     []byte("<Environment/>"),
		"openstack/latest/meta_data.json": []byte(`{"uuid":"u"}`),
	}
	needTools(t)
	for _, tc := range []struct{ format, label string }{
		{ISO9660, "config-2"},
		{UDF, "rd_rdfe_stable"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			disc := filepath.Join(t.TempDir(), "disc")
			if err := Write(context.Background(), disc, Spec{Format: tc.format, Label: tc.label, Files: files}); err != nil {
				t.Fatal(err)
			}
			if got := blkid(t, disc, "TYPE"); got != tc.format {
				t.Errorf("blkid TYPE %q, want %q", got, tc.format)
			}
			if got := blkid(t, disc, "LABEL"); got != tc.label {
				t.Errorf("blkid LABEL %q, want %q", got, tc.label)
			}
			for name, want := range files {
				if got, err := ReadFile(context.Background(), disc, name); err != nil || string(got) != string(want) {
					t.Errorf("%s: %q %v, want %q", name, got, err, want)
				}
			}
			if _, err := ReadFile(context.Background(), disc, "user_data"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a file not on the disc: %v", err)
			}
		})
	}
}

func TestWriteRefuses(t *testing.T) {
	needTools(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		spec Spec
		want string
	}{
		{Spec{Format: "vfat"}, `format "vfat"`},
		{Spec{Files: map[string][]byte{"/etc/passwd": nil}}, `"/etc/passwd" is not a clean relative path`},
		{Spec{Files: map[string][]byte{"../x": nil}}, `"../x" is not a clean relative path`},
	} {
		out := filepath.Join(dir, "disc")
		err := Write(context.Background(), out, tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), out) {
			t.Errorf("Write(%+v): %v; want an error naming %s and saying %s", tc.spec, err, out, tc.want)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("Write(%+v) left %s", tc.spec, out)
		}
	}
}

func needTools(t *testing.T) {
	for _, tool := range []string{writer, reader} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
}

func TestWriteWithoutTool(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := Write(context.Background(), filepath.Join(t.TempDir(), "disc"), Spec{Format: UDF, Files: map[string][]byte{"a": nil}})
	if !errors.Is(err, ErrNoTool) || !strings.Contains(err.Error(), "genisoimage") {
		t.Errorf("Write without genisoimage: %v", err)
	}
}
