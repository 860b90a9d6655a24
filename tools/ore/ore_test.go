package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func ore(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{stdout: &out, stderr: &errOut}
	code := a.main(args)
	return code, out.String(), errOut.String()
}

func TestHelpAndVersion(t *testing.T) {
	code, out, _ := ore(t, "--help")
	if code != 0 || !strings.Contains(out, "Usage: ore") || !strings.Contains(out, "qemu build-image") {
		t.Errorf("--help: %d\n%s", code, out)
	}
	code, out, _ = ore(t, "version")
	if code != 0 || !strings.HasPrefix(out, "ore ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"qemu", "build-image", "windows"}, `<name> must be one of "minimal","debian","baseline" but got "windows"`},
		{[]string{"nosuch"}, `unexpected argument nosuch`},
		{[]string{"qemu", "build-image", "minimal", "--agent", "/no/such/strata-init"}, "image minimal needs the strata-init agent: /no/such/strata-init not found"},
	} {
		code, _, errOut := ore(t, tc.args...)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("ore %v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestListImages(t *testing.T) {
	cache := t.TempDir()
	code, out, errOut := ore(t, "qemu", "--cache-dir", cache, "list-images", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Fatalf("empty cache: %d %q %s", code, out, errOut)
	}
	dir := filepath.Join(cache, "images", "debian-0123")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	desc := `{"name":"debian","kernel":"vmlinuz","initrd":"initrd.img","disk":"disk.qcow2","kernel_release":"6.1.0-47-cloud-amd64"}`
	if err := os.WriteFile(filepath.Join(dir, "image.json"), []byte(desc), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ = ore(t, "qemu", "--cache-dir", cache, "list-images", "--json")
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || len(got) != 1 {
		t.Fatalf("list --json: %d %v %q", code, err, out)
	}
	if got[0]["name"] != "debian" || got[0]["dir"] != dir || got[0]["disk"] != filepath.Join(dir, "disk.qcow2") {
		t.Errorf("list --json = %v", got[0])
	}
	code, out, _ = ore(t, "qemu", "--cache-dir", cache, "list-images")
	if code != 0 || !strings.Contains(out, "NAME") || !strings.Contains(out, "debian  6.1.0-47-cloud-amd64  disk.qcow2  "+dir) {
		t.Errorf("list table: %d\n%s", code, out)
	}
}
