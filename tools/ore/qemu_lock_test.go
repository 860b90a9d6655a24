package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/images/debs"
	"github.com/strata-os/strata/images/debs/debstest"
)

func lockStanza(name, version, sum string) debstest.Stanza {
	return debstest.Stanza{Package: name, Version: version, Size: 1000, SHA256: strings.Repeat(sum, 64),
		Filename: "pool/main/" + name[:1] + "/" + name + "/" + name + "_" + version + "_amd64.deb"}
}

// update-lock re-resolves minimal.lock from the index apt has now (a
// newer kernel ABI and busybox than the lock pins), prints what moved,
// and writes a lock the build reads; a second run changes nothing.
func TestUpdateLockMinimal(t *testing.T) {
	meta := lockStanza("linux-image-cloud-amd64", "6.1.192-3", "1")
	meta.Depends = "linux-image-6.1.0-57-cloud-amd64 (= 6.1.192-3)"
	opts := debstest.Repo(t, []debstest.Stanza{
		meta,
		lockStanza("linux-image-6.1.0-57-cloud-amd64", "6.1.192-3", "2"),
		lockStanza("busybox-static", "1:1.35.0-4+deb12u2", "3"),
	})
	lock := filepath.Join(t.TempDir(), "minimal.lock")
	old := debs.FormatLock([]string{"old"}, []debs.Package{
		{Name: "linux-image-6.1.0-47-cloud-amd64", Version: "6.1.170-3", Size: 1, SHA256: strings.Repeat("a", 64), Filename: "pool/main/l/k.deb"},
		{Name: "busybox-static", Version: "1:1.35.0-4+deb12u1+b1", Size: 1, SHA256: strings.Repeat("b", 64), Filename: "pool/main/b/b.deb"},
	})
	if err := os.WriteFile(lock, old, 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"qemu", "update-lock", "minimal", "--lock", lock}
	for _, o := range opts {
		args = append(args, "--apt-option", o)
	}

	code, out, errOut := ore(t, append(args, "--dry-run")...)
	if code != 0 || !strings.Contains(out, "(dry run, not written)") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	if got, _ := os.ReadFile(lock); string(got) != string(old) {
		t.Errorf("--dry-run wrote the lock")
	}

	code, out, errOut = ore(t, args...)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"busybox-static                    1:1.35.0-4+deb12u1+b1  → 1:1.35.0-4+deb12u2",
		"linux-image-6.1.0-47-cloud-amd64  6.1.170-3              → (dropped)",
		"linux-image-6.1.0-57-cloud-amd64  (new)                  → 6.1.192-3",
		lock + ": 2 packages, 3 changed (rewritten)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(lock)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := debs.ParseLock(lock, data)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 2 || pkgs[0].Name != "linux-image-6.1.0-57-cloud-amd64" || pkgs[0].SHA256 != strings.Repeat("2", 64) ||
		pkgs[1].Filename != "pool/main/b/busybox-static/busybox-static_1:1.35.0-4+deb12u2_amd64.deb" {
		t.Errorf("new lock:\n%s", data)
	}

	code, out, _ = ore(t, args...)
	if code != 0 || !strings.Contains(out, ": 2 packages, 0 changed (unchanged)") {
		t.Errorf("second run: exit %d\n%s", code, out)
	}
}

// When the index cannot resolve the lock, the error says what is missing
// and the old lock stays as it was.
func TestUpdateLockUnresolvable(t *testing.T) {
	opts := debstest.Repo(t, []debstest.Stanza{lockStanza("busybox-static", "1:1.35.0-4+deb12u2", "3")})
	lock := filepath.Join(t.TempDir(), "minimal.lock")
	if err := os.WriteFile(lock, []byte("# keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"qemu", "update-lock", "minimal", "--lock", lock}
	for _, o := range opts {
		args = append(args, "--apt-option", o)
	}
	code, _, errOut := ore(t, args...)
	if code != 1 || !strings.Contains(errOut, "minimal.lock: the kernel") || !strings.Contains(errOut, "linux-image-cloud-amd64") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if got, _ := os.ReadFile(lock); string(got) != "# keep me\n" {
		t.Errorf("lock changed after a failed refresh: %q", got)
	}
}

func TestDebianMirrorFlag(t *testing.T) {
	code, _, errOut := ore(t, "qemu", "--debian-mirror", "ftp://old.example/debian", "build-image", "baseline")
	if code != 2 || !strings.Contains(errOut, `--debian-mirror: mirror "ftp://old.example/debian" is not an http://`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	t.Setenv("STRATA_DEBIAN_MIRRORS", "not a url")
	code, _, errOut = ore(t, "qemu", "build-image", "baseline")
	if code != 2 || !strings.Contains(errOut, `mirror "not" is not`) {
		t.Errorf("from the environment: exit %d, stderr %q", code, errOut)
	}
}

// Without --lock, update-lock finds images/NAME.lock in the checkout
// around the working directory (or the workspace bazel run names), and
// says what to do when there is none.
func TestFindLock(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "tools", "ore")
	for _, d := range []string{sub, filepath.Join(root, "images")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"go.work", "images/debian.lock"} {
		if err := os.WriteFile(filepath.Join(root, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(sub)
	if got, err := findLock("debian"); err != nil || got != filepath.Join(root, "images", "debian.lock") {
		t.Errorf("findLock = %q, %v", got, err)
	}
	if _, err := findLock("minimal"); err == nil || !strings.Contains(err.Error(), "pass --lock FILE") {
		t.Errorf("no minimal.lock: %v", err)
	}
	t.Setenv("BUILD_WORKSPACE_DIRECTORY", "/src/strata")
	if got, _ := findLock("minimal"); got != "/src/strata/images/minimal.lock" {
		t.Errorf("under bazel run: %q", got)
	}
}

// A disk needs a format kola boots and a place to go: either alone, or an
// unknown format, is the user's mistake, said before anything is built.
func TestBuildImageDiskFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--format", "raw", "--output", "/tmp/x.raw", "--platform", "aws"}, "--platform aws: only the ignition image is made per platform"},
		{[]string{"--format", "raw"}, "--format and --output go together"},
		{[]string{"--output", "/tmp/x.raw"}, "--format and --output go together"},
		{[]string{"--format", "floppy", "--output", "/tmp/x"}, `--format "floppy": want one of raw, qcow2, vhd`},
	} {
		var out, errOut bytes.Buffer
		a := &app{stdout: &out, stderr: &errOut}
		args := append([]string{"qemu", "--cache-dir", t.TempDir(), "build-image", "debian"}, tc.args...)
		if code := a.main(args); code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("ore %s: exit %d, %q; want 2 and %q", strings.Join(args, " "), code, errOut.String(), tc.want)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--platform", "ec2", "--format", "raw", "--output", "/tmp/x.raw"}, `--platform: platform "ec2": want one of aws, azure`},
		{[]string{"--platform", "aws"}, "--platform aws: the platform goes on a disk"},
	} {
		var out, errOut bytes.Buffer
		a := &app{stdout: &out, stderr: &errOut}
		args := append([]string{"qemu", "--cache-dir", t.TempDir(), "build-image", "ignition"}, tc.args...)
		if code := a.main(args); code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("ore %s: exit %d, %q; want 2 and %q", strings.Join(args, " "), code, errOut.String(), tc.want)
		}
	}
}
