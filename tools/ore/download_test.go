package main

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	awssim "github.com/strata-os/strata/providers/aws/sim"
	gcesim "github.com/strata-os/strata/providers/gce/sim"
)

// releaseKey is a signing key made in the test, its public half written
// armored to a file.
func releaseKey(t *testing.T) (*openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity("Release Signing", "", "release@example.org", nil)
	if err != nil {
		t.Fatal(err)
	}
	var pub bytes.Buffer
	w, _ := armor.Encode(&pub, openpgp.PublicKeyType, nil)
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	path := filepath.Join(t.TempDir(), "release.asc")
	if err := os.WriteFile(path, pub.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return e, path
}

func detachSign(t *testing.T, e *openpgp.Entity, data []byte) []byte {
	t.Helper()
	var sig bytes.Buffer
	if err := openpgp.DetachSign(&sig, e, bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return sig.Bytes()
}

// files serves a map of paths with Range support.
func files(t *testing.T, m map[string][]byte) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := m[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// ore download: a signed file verifies and is kept; a tampered one is
// refused and nothing is left; a checksum is an alternative; s3:// and
// gs:// objects are read through the services' endpoints (here the
// simulators').
func TestDownload(t *testing.T) {
	key, keyFile := releaseKey(t)
	data := make([]byte, 200<<10)
	rand.Read(data)
	bad := append([]byte(nil), data...)
	bad[7] ^= 1
	url := files(t, map[string][]byte{"/f.bin": data, "/f.bin.sig": detachSign(t, key, data), "/bad.bin": bad, "/bad.bin.sig": detachSign(t, key, data)})
	dir := t.TempDir()

	code, out, errOut := ore(t, "download", url+"/f.bin", "-o", filepath.Join(dir, "f.bin"), "--verify-key", keyFile, "--no-progress")
	if code != 0 || !strings.Contains(out, "signed by Release Signing <release@example.org>") {
		t.Fatalf("good: %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = ore(t, "download", url+"/bad.bin", "-o", filepath.Join(dir, "bad.bin"), "--verify-key", keyFile, "--no-progress")
	if code != 1 || !strings.Contains(errOut, "bad signature") {
		t.Errorf("tampered: %d %s", code, errOut)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "bad.bin*")); len(left) != 0 {
		t.Errorf("left after a tampered download: %v", left)
	}
	sum := sha256.Sum256(data)
	code, out, _ = ore(t, "download", url+"/f.bin", "-o", filepath.Join(dir, "g.bin"), "--sha256", hex.EncodeToString(sum[:]), "--no-progress")
	if code != 0 || !strings.Contains(out, "SHA-256 "+hex.EncodeToString(sum[:])) {
		t.Errorf("by checksum: %d %s", code, out)
	}
	code, _, errOut = ore(t, "download", url+"/f.bin", "-o", filepath.Join(dir, "h.bin"))
	if code != 2 || !strings.Contains(errOut, "give --verify-key or --sha256") {
		t.Errorf("nothing to verify with: %d %s", code, errOut)
	}
	code, _, errOut = ore(t, "download", "ftp://example.org/x", "--sha256", hex.EncodeToString(sum[:]))
	if code != 2 || !strings.Contains(errOut, "want an http(s) URL, gs://BUCKET/OBJECT or s3://BUCKET/KEY") {
		t.Errorf("ftp: %d %s", code, errOut)
	}

	s3 := awssim.NewS3()
	s3.AddObject("releases", "stable/f.bin", data, nil, time.Now())
	awsSrv := httptest.NewServer(awssim.Handler(awssim.New(awssim.Options{}), s3))
	defer awsSrv.Close()
	code, out, errOut = ore(t, "download", "s3://releases/stable/f.bin", "--s3-endpoint", awsSrv.URL, "-o", filepath.Join(dir, "s3.bin"), "--sha256", hex.EncodeToString(sum[:]), "--no-progress")
	if code != 0 {
		t.Errorf("s3://: %d %s %s", code, out, errOut)
	}
	g := gcesim.New(gcesim.Options{})
	g.AddBucket("releases")
	g.AddObject("releases", "stable/f.bin", data, nil, time.Now())
	gceSrv := g.Start()
	defer gceSrv.Close()
	code, out, errOut = ore(t, "download", "gs://releases/stable/f.bin", "--gcs-endpoint", gceSrv.URL, "-o", filepath.Join(dir, "gs.bin"), "--sha256", hex.EncodeToString(sum[:]), "--no-progress")
	if code != 0 {
		t.Errorf("gs://: %d %s %s", code, out, errOut)
	}
}

// ore download-image: a release's published image (.bz2 as Flatcar's,
// .gz too) and its signature, verified and decompressed.
func TestDownloadImage(t *testing.T) {
	key, keyFile := releaseKey(t)
	image := bytes.Repeat([]byte("strata image "), 10000)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(image)
	w.Close()
	served := map[string][]byte{
		"/stable/amd64-usr/4081.2.0/os_qemu_image.img.gz":     gz.Bytes(),
		"/stable/amd64-usr/4081.2.0/os_qemu_image.img.gz.sig": detachSign(t, key, gz.Bytes()),
	}
	if _, err := exec.LookPath("bzip2"); err == nil {
		cmd := exec.Command("bzip2", "-c")
		cmd.Stdin = bytes.NewReader(image)
		bz, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		served["/stable/amd64-usr/4081.2.0/os_qemu_image.img.bz2"] = bz
		served["/stable/amd64-usr/4081.2.0/os_qemu_image.img.bz2.sig"] = detachSign(t, key, bz)
	}
	url := files(t, served)
	for _, ext := range []string{"gz", "bz2"} {
		if _, ok := served["/stable/amd64-usr/4081.2.0/os_qemu_image.img."+ext]; !ok {
			t.Logf("no bzip2 here: .%s not tried", ext)
			continue
		}
		dir := t.TempDir()
		code, out, errOut := ore(t, "download-image", "--channel", "stable", "--version", "4081.2.0", "--verify-key", keyFile, "--no-progress",
			"--url-template", url+"/{channel}/{arch}-usr/{version}/os_{platform}_image.img."+ext, "--output-dir", dir)
		if code != 0 || !strings.Contains(out, "decompressed") {
			t.Fatalf(".%s: %d\n%s\n%s", ext, code, out, errOut)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "os_qemu_image.img")); !bytes.Equal(got, image) {
			t.Errorf(".%s: the decompressed image differs", ext)
		}
	}
	code, _, errOut := ore(t, "download-image", "--channel", "stable", "--version", "9.9.9", "--verify-key", keyFile, "--no-progress",
		"--url-template", url+"/{channel}/{arch}-usr/{version}/os_{platform}_image.img.gz", "--output-dir", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "404") {
		t.Errorf("a missing release: %d %s", code, errOut)
	}
}
