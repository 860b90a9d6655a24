package debs

import (
	"strings"
	"testing"
)

func TestParseLock(t *testing.T) {
	sum := strings.Repeat("a", 64)
	good := "ab 1.0-1 1234 " + sum + " pool/main/a/ab/ab_1.0-1_amd64.deb\n"
	pkgs, err := ParseLock("x.lock", []byte("# header\n\n"+good))
	if err != nil || len(pkgs) != 1 {
		t.Fatalf("ParseLock = %v, %v", pkgs, err)
	}
	want := Package{Name: "ab", Version: "1.0-1", Size: 1234, SHA256: sum, Filename: "pool/main/a/ab/ab_1.0-1_amd64.deb"}
	if pkgs[0] != want {
		t.Errorf("got %+v, want %+v", pkgs[0], want)
	}
	for _, tc := range []struct{ in, want string }{
		{"a 1\n", `x.lock:1: want "name version size sha256 filename", got 2 fields`},
		{"ab 1 " + sum + "\n", "got 3 fields (a lock from before pool paths: refresh it with ore qemu update-lock)"},
		{"Bad 1 1 " + sum + " pool/x.deb\n", `x.lock:1: bad package name "Bad"`},
		{"ab 1 -5 " + sum + " pool/x.deb\n", `x.lock:1: ab: size "-5" is not a positive number of bytes`},
		{"ab 1 big " + sum + " pool/x.deb\n", `x.lock:1: ab: size "big"`},
		{"ab 1 1 abc pool/x.deb\n", "x.lock:1: ab: sha256 must be 64 lowercase hex digits"},
		{"ab 1 1 " + sum + " /etc/passwd.deb\n", `x.lock:1: ab: filename "/etc/passwd.deb" must be a relative path`},
		{"ab 1 1 " + sum + " pool/../../x.deb\n", `filename "pool/../../x.deb"`},
		{"ab 1 1 " + sum + " pool/x.tar\n", `filename "pool/x.tar"`},
		{"ab 1 1 " + sum + " pool/x.deb?y=.deb\n", `filename "pool/x.deb?y=.deb"`},
		{"# only a comment\n", "x.lock: no packages"},
		{good + good, "x.lock:2: ab listed twice"},
	} {
		if _, err := ParseLock("x.lock", []byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseLock(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// What FormatLock writes, ParseLock reads back the same.
func TestFormatLockRoundTrip(t *testing.T) {
	in := []Package{
		{Name: "linux-image-6.1.0-57-cloud-amd64", Version: "6.1.192-3", Size: 26429640, SHA256: strings.Repeat("1", 64), Filename: "pool/main/l/linux-signed-amd64/linux-image-6.1.0-57-cloud-amd64_6.1.192-3_amd64.deb"},
		{Name: "busybox-static", Version: "1:1.35.0-4+deb12u1+b1", Size: 928188, SHA256: strings.Repeat("2", 64), Filename: "pool/main/b/busybox/busybox-static_1.35.0-4+deb12u1+b1_amd64.deb"},
	}
	data := FormatLock([]string{"a header", "refresh with: x"}, in)
	if !strings.HasPrefix(string(data), "# a header\n# refresh with: x\n# name") {
		t.Errorf("header:\n%s", data)
	}
	out, err := ParseLock("round.lock", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("got %d packages", len(out))
	}
	for i := range in {
		if out[i] != in[i] {
			t.Errorf("package %d: %+v, want %+v", i, out[i], in[i])
		}
	}
}

func TestDiff(t *testing.T) {
	old := LockVersions([]byte("# c\nbase-files 12.4+deb12u14 f6d5\nbash 5.2 ab\nlinux-image-6.1.0-47-cloud-amd64 6.1.170-3 x\n"))
	got := Diff(old, map[string]string{"base-files": "12.4+deb12u15", "bash": "5.2", "linux-image-6.1.0-57-cloud-amd64": "6.1.192-3"})
	want := []Change{
		{"base-files", "12.4+deb12u14", "12.4+deb12u15"},
		{"linux-image-6.1.0-47-cloud-amd64", "6.1.170-3", ""},
		{"linux-image-6.1.0-57-cloud-amd64", "", "6.1.192-3"},
	}
	if len(got) != len(want) {
		t.Fatalf("Diff = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}
