package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/tools/internal/syncbuf"
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
		{[]string{"qemu", "build-image", "windows"}, `<name> must be one of "minimal","debian","ignition","baseline" but got "windows"`},
		{[]string{"nosuch"}, `unexpected argument nosuch`},
		{[]string{"aws", "simulate", "--boot-dir", "/tmp/x"}, "--boot-dir: only with --boot"},
		{[]string{"aws", "simulate", "--boot", "--boot-memory", "64"}, "--boot-memory 64: at least 128 MiB"},
		{[]string{"aws", "simulate", "--boot", "--boot-accel", "hvf"}, `--boot-accel must be one of "auto","kvm","tcg" but got "hvf"`},
		{[]string{"qemu", "build-image", "minimal", "--agent", "/no/such/strata-init"}, "image minimal needs the strata-init binary: /no/such/strata-init not found (./ci/build.sh builds it into bin/, or pass --agent)"},
		{[]string{"qemu", "build-image", "ignition", "--ignition-binary", "/bin/sh", "--initrd-bus", "/no/such/bus"}, "image ignition needs the strata-initrd-bus binary: /no/such/bus not found (./ci/build.sh builds it into bin/, or pass --initrd-bus)"},
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

// ore aws simulate serves a simulator that ore aws gc (and kola) can use;
// gc --dry-run against it deletes nothing and says so.
func TestAWSSimulateAndGC(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "sim")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "sim")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	url, stop := simulate(t, "aws")
	code, out, errOut := ore(t, "aws", "--aws-endpoint", url, "gc", "--dry-run", "--duration", "1s")
	if code != 0 || !strings.Contains(out, "ore aws gc: would delete 0 resources in us-east-1 older than 1s") {
		t.Errorf("gc --dry-run: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = ore(t, "aws", "--aws-endpoint", url, "initialize", "--bucket", "images")
	if code != 0 || !strings.Contains(out, "bucket s3://images created in us-east-1") || !strings.Contains(out, "role vmimport created; it may read s3://images") {
		t.Errorf("initialize: %d\n%s\n%s", code, out, errOut)
	}
	img := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(img, bytes.Repeat([]byte("strata"), 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = ore(t, "aws", "--aws-endpoint", url, "upload", "--bucket", "images", "--part-size", "5MiB", "--no-progress", img)
	if code != 0 || !strings.Contains(out, "uploaded "+img+" to s3://images/disk.img: 3 parts (0 already there") {
		t.Errorf("upload: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = ore(t, "aws", "--aws-endpoint", url, "gc", "--dry-run", "--duration", "1ns", "--bucket", "images")
	if code != 0 || !strings.Contains(out, "would delete object s3://images/disk.img") {
		t.Errorf("gc --bucket: the upload is not ours: %d\n%s", code, out)
	}
	code, out, errOut = ore(t, "aws", "--aws-endpoint", url, "create-image", "--bucket", "images", "--key", "disk.img", "--name", "strata-1", "--poll", "10ms")
	if code != 0 || !strings.Contains(out, "strata-1 (snapshot snap-") {
		t.Fatalf("create-image: %d\n%s\n%s", code, out, errOut)
	}
	ami := strings.Fields(out)[0]
	code, out, errOut = ore(t, "aws", "--aws-endpoint", url, "copy-image", "--to-region", "us-west-2,eu-west-1", "--poll", "10ms", ami)
	if code != 0 || !strings.Contains(out, "strata-1 (snapshot snap-") || !strings.Contains(out, "in us-west-2") || !strings.Contains(out, "in eu-west-1") {
		t.Errorf("copy-image: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = ore(t, "aws", "--aws-endpoint", url, "--aws-region", "eu-west-1", "list-images", "--json")
	if code != 0 || !strings.Contains(out, `"Name": "strata-1"`) {
		t.Errorf("list-images in eu-west-1: %d %s", code, out)
	}
	code, _, errOut = ore(t, "aws", "--aws-endpoint", url, "copy-image", "--to-region", "us-east-1", ami)
	if code != 2 || !strings.Contains(errOut, "--to-region us-east-1: the image is already there") {
		t.Errorf("copy to its own region: %d %s", code, errOut)
	}
	code, out, _ = ore(t, "aws", "--aws-endpoint", url, "list-images", "--json")
	var imgs []struct{ ID, Name string }
	if err := json.Unmarshal([]byte(out), &imgs); code != 0 || err != nil || len(imgs) != 1 || imgs[0].ID != ami || imgs[0].Name != "strata-1" {
		t.Errorf("list-images --json: %d %v %s", code, err, out)
	}
	code, out, errOut = ore(t, "aws", "--aws-endpoint", url, "delete-image", ami)
	if code != 0 || !strings.Contains(out, "deleted "+ami) {
		t.Errorf("delete-image: %d %s %s", code, out, errOut)
	}
	code, _, errOut = ore(t, "aws", "--aws-endpoint", url, "delete-image", ami)
	if code != 1 || !strings.Contains(errOut, "image "+ami+": not found") {
		t.Errorf("delete-image again: %d %s", code, errOut)
	}
	code, _, errOut = ore(t, "aws", "--aws-endpoint", url, "upload", "--bucket", "images", "--part-size", "1MiB", img)
	if code != 2 || !strings.Contains(errOut, "--part-size 1MiB: S3 parts are at least 5MiB") {
		t.Errorf("small parts: %d %s", code, errOut)
	}
	code, _, errOut = ore(t, "aws", "--aws-endpoint", url, "gc", "--duration", "0s")
	if code != 2 || !strings.Contains(errOut, "--duration must be positive") {
		t.Errorf("gc --duration 0: %d %s", code, errOut)
	}
	stop()
}

// simulate starts `ore CLOUD simulate` and returns its URL, and a stop
// that checks it ended well.
func simulate(t *testing.T, cloud string, extra ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	simOut := &syncbuf.Buffer{}
	done := make(chan int)
	sim := &app{stdout: simOut, stderr: io.Discard, ctx: ctx}
	go func() { done <- sim.main(append([]string{cloud, "simulate", "--listen", "127.0.0.1:0"}, extra...)) }()
	var url string
	for i := 0; i < 100 && url == ""; i++ {
		time.Sleep(20 * time.Millisecond)
		if m := regexp.MustCompile(`on (https?://[0-9.:]+)`).FindStringSubmatch(simOut.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("simulator did not start: %q", simOut.String())
	}
	return url, func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("%s simulate exited %d", cloud, code)
		}
	}
}
