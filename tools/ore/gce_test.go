package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/providers/gce"
	"github.com/strata-os/strata/providers/gce/api"
)

// Every ore gce command against `ore gce simulate`: upload with a
// progress bar, create-image, list and delete images, list and destroy
// instances, gc; and the errors a person meets.
func TestGCECommands(t *testing.T) {
	url, stop := simulate(t, "gce")
	defer stop()
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	g := func(args ...string) (int, string, string) {
		return ore(t, append([]string{"gce", "--gce-endpoint", url, "--gce-project", "strata-sim"}, args...)...)
	}
	var disk bytes.Buffer
	zw := gzip.NewWriter(&disk)
	zw.Write(bytes.Repeat([]byte("strata"), 200_000))
	zw.Close()
	file := filepath.Join(t.TempDir(), "flatcar.tar.gz")
	if err := os.WriteFile(file, disk.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := g("upload", "--bucket", "kola-images", "--chunk-size", "256KiB", file)
	if code != 0 || !strings.Contains(out, "uploaded "+file+" to gs://kola-images/flatcar.tar.gz") || !strings.Contains(out, "checked") {
		t.Fatalf("upload: %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "upload flatcar.tar.gz") || !strings.Contains(errOut, "100%") {
		t.Errorf("no progress bar on stderr: %q", errOut)
	}
	code, out, errOut = g("create-image", "--source", "gs://kola-images/flatcar.tar.gz", "--name", "flatcar-dev-1", "--family", "flatcar-dev", "--poll", "10ms")
	if code != 0 || !strings.Contains(out, `image flatcar-dev-1 (family "flatcar-dev") READY`) {
		t.Fatalf("create-image: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = g("list-images", "--json")
	var imgs []struct{ Name, Family, Status string }
	if err := json.Unmarshal([]byte(out), &imgs); code != 0 || err != nil || len(imgs) != 1 || imgs[0].Name != "flatcar-dev-1" || imgs[0].Family != "flatcar-dev" {
		t.Errorf("list-images --json: %d %v %s", code, err, out)
	}
	code, out, _ = g("list-instances", "--json")
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("list-instances on an empty project: %d %q", code, out)
	}

	// An instance as kola would make it, with userdata that must not be
	// printed.
	ctx := context.Background()
	c, err := api.New(ctx, api.Options{Project: "strata-sim", Zone: "us-central1-a", Endpoint: url})
	if err != nil {
		t.Fatal(err)
	}
	op, err := c.InsertInstance(ctx, api.InstanceSpec{Name: "kola-1", MachineType: "e2-small", Network: "default",
		Image: "projects/strata-sim/global/images/flatcar-dev-1", Labels: gce.Labels(nil),
		Metadata: map[string]string{"user-data": "password=hunter2"}})
	if err != nil || c.Wait(ctx, op, 0) != nil {
		t.Fatalf("insert: %v", err)
	}
	code, out, _ = g("list-instances")
	if code != 0 || !strings.Contains(out, "kola-1") || strings.Contains(out, "hunter2") {
		t.Errorf("list-instances: %d\n%s", code, out)
	}
	code, out, _ = g("list-instances", "--json")
	if code != 0 || !strings.Contains(out, `"Name": "kola-1"`) || strings.Contains(out, "hunter2") {
		t.Errorf("list-instances --json: %d\n%s", code, out)
	}
	code, out, _ = g("gc", "--dry-run", "--duration", "1ns", "--bucket", "kola-images")
	if code != 0 || !strings.Contains(out, "would delete instance kola-1") || !strings.Contains(out, "would delete object gs://kola-images/flatcar.tar.gz") ||
		!strings.Contains(out, "would delete image flatcar-dev-1") || !strings.Contains(out, "would delete 3 resources in strata-sim/us-central1-a") {
		t.Errorf("gc --dry-run: %d\n%s", code, out)
	}
	code, out, errOut = g("destroy-instances", "--poll", "10ms", "kola-1")
	if code != 0 || !strings.Contains(out, "deleted instance kola-1") {
		t.Errorf("destroy-instances: %d %s %s", code, out, errOut)
	}
	code, _, errOut = g("destroy-instances", "--poll", "10ms", "kola-1")
	if code != 1 || !strings.Contains(errOut, "instance kola-1: not found in strata-sim/us-central1-a") {
		t.Errorf("destroy-instances again: %d %s", code, errOut)
	}
	code, out, errOut = g("delete-images", "--poll", "10ms", "flatcar-dev-1")
	if code != 0 || !strings.Contains(out, "deleted image flatcar-dev-1") {
		t.Errorf("delete-images: %d %s %s", code, out, errOut)
	}
	// What is left, the uploaded object, goes; stderr says how far gc is.
	code, out, errOut = g("gc", "--duration", "1ns", "--bucket", "kola-images")
	if code != 0 || !strings.Contains(out, "deleted object gs://kola-images/flatcar.tar.gz") ||
		!strings.Contains(errOut, `msg="gc progress" deleted=1 failed=0 of=1 kind=object`) {
		t.Errorf("gc: %d\n%s\n%s", code, out, errOut)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"delete-images", "flatcar-dev-1"}, 1, "image flatcar-dev-1: not found in project strata-sim"},
		{[]string{"create-image", "--source", "s3://x/y", "--name", "n"}, 2, `--source "s3://x/y": want gs://BUCKET/OBJECT`},
		{[]string{"create-image", "--source", "gs://kola-images/none.tar.gz", "--name", "n"}, 1, "--source gs://kola-images/none.tar.gz: get gs://kola-images/none.tar.gz: object gs://kola-images/none.tar.gz not found"},
		{[]string{"upload", "--bucket", "nope", "--no-progress", file}, 1, "upload gs://nope/flatcar.tar.gz: bucket nope not found"},
		{[]string{"upload", "--bucket", "kola-images", "--chunk-size", "100KiB", file}, 2, "--chunk-size 100KiB: must be a multiple of 256KiB"},
		{[]string{"gc", "--duration", "0s"}, 2, "--duration must be positive"},
	} {
		code, _, errOut := g(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("ore gce %v: %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	code, _, errOut = ore(t, "gce", "--gce-endpoint", url, "list-images")
	if code != 2 || !strings.Contains(errOut, "no project: pass --gce-project") {
		t.Errorf("no project: %d %s", code, errOut)
	}
}
