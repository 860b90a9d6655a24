package api

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeOVA(t *testing.T, files [][2]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.ova")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	for _, file := range files {
		tw.WriteHeader(&tar.Header{Name: file[0], Mode: 0o644, Size: int64(len(file[1]))})
		tw.Write([]byte(file[1]))
	}
	tw.Close()
	f.Close()
	return p
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestCheckManifest(t *testing.T) {
	ovf, disk := "<Envelope/>", "disk bytes"
	good := "SHA256(x.ovf)= " + sum(ovf) + "\nSHA256(x-disk1.vmdk)= " + sum(disk) + "\n"
	for _, tc := range []struct {
		name  string
		files [][2]string
		want  string
	}{
		{"good", [][2]string{{"x.ovf", ovf}, {"x-disk1.vmdk", disk}, {"x.mf", good}}, ""},
		{"a disk changed", [][2]string{{"x.ovf", ovf}, {"x-disk1.vmdk", "disk bytez"}, {"x.mf", good}}, "the manifest says"},
		{"no manifest", [][2]string{{"x.ovf", ovf}, {"x-disk1.vmdk", disk}}, "no manifest"},
		{"no descriptor", [][2]string{{"x-disk1.vmdk", disk}, {"x.mf", "SHA256(x-disk1.vmdk)= " + sum(disk)}}, "no OVF descriptor"},
		{"a file the manifest names is missing", [][2]string{{"x.ovf", ovf}, {"x.mf", good}}, "names no file"},
	} {
		err := checkManifest(writeOVA(t, tc.files))
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := checkManifest(filepath.Join(t.TempDir(), "none.ova")); err == nil {
		t.Error("a missing file checked")
	}
}
