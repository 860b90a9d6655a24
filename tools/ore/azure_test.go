package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/providers/azure"
)

// Every ore azure command against `ore azure simulate` over https, with
// the CA certificate and auth file it writes: create, list and delete
// images, gc; and the errors a person meets.
func TestAzureCommands(t *testing.T) {
	state := t.TempDir()
	url, stop := simulate(t, "azure", "--state-dir", state)
	defer stop()
	acct := azure.Account{Endpoint: url, CAFile: filepath.Join(state, "ca.pem"), AuthFile: filepath.Join(state, "azureAuth.json"), Location: "westus2"}
	if fi, err := os.Stat(acct.AuthFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("auth file: %v %v", fi, err)
	}
	z := func(args ...string) (int, string, string) {
		return ore(t, append([]string{"azure", "--azure-endpoint", url, "--azure-ca-file", acct.CAFile, "--azure-auth", acct.AuthFile}, args...)...)
	}
	// The user's group for images, and a flight's group a killed run left.
	ctx := context.Background()
	c, err := azure.Connect(ctx, acct, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CreateGroup(ctx, "user-images", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateGroup(ctx, "strata-killed-run", azure.Tags(nil, time.Now().Add(-time.Minute))); err != nil {
		t.Fatal(err)
	}

	blob := "https://strata.blob.core.windows.net/vhds/flatcar.vhd"
	code, out, errOut := z("create-image", "--blob", blob, "--resource-group", "user-images", "--name", "flatcar-dev-1", "--tags", "channel=dev")
	if code != 0 || !strings.Contains(out, "/resourceGroups/user-images/providers/Microsoft.Compute/images/flatcar-dev-1 (V2) Succeeded from "+blob) ||
		!strings.Contains(out, "kola run -p azure --azure-image /subscriptions/") {
		t.Fatalf("create-image: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = z("list-images", "--json")
	var imgs []struct {
		Name, Group, Source, HyperVGeneration string
		Tags                                  map[string]string
	}
	if err := json.Unmarshal([]byte(out), &imgs); code != 0 || err != nil || len(imgs) != 1 || imgs[0].Name != "flatcar-dev-1" ||
		imgs[0].Group != "user-images" || imgs[0].Source != blob || imgs[0].Tags["channel"] != "dev" || imgs[0].Tags[azure.CreatedByTag] != azure.CreatedBy {
		t.Errorf("list-images --json: %d %v %s", code, err, out)
	}
	code, out, _ = z("list-images")
	if code != 0 || !strings.Contains(out, "GROUP") || !strings.Contains(out, "flatcar-dev-1") {
		t.Errorf("list-images: %d\n%s", code, out)
	}
	code, out, _ = z("gc", "--dry-run", "--duration", "1ns")
	if code != 0 || !strings.Contains(out, "would delete group strata-killed-run") || !strings.Contains(out, "would delete image user-images/flatcar-dev-1") ||
		!strings.Contains(out, "would delete 2 resources in subscription ") {
		t.Errorf("gc --dry-run: %d\n%s", code, out)
	}
	code, out, errOut = z("delete-image", "user-images/flatcar-dev-1")
	if code != 0 || !strings.Contains(out, "deleted image user-images/flatcar-dev-1") {
		t.Errorf("delete-image: %d %s %s", code, out, errOut)
	}
	code, out, errOut = z("gc", "--duration", "1s")
	if code != 0 || !strings.Contains(out, "deleted group strata-killed-run") || !strings.Contains(out, "deleted 1 resources") ||
		!strings.Contains(errOut, `msg="gc progress" deleted=1 failed=0 of=1 kind=group`) {
		t.Errorf("gc: %d\n%s\n%s", code, out, errOut)
	}

	// A qcow2 goes up as a fixed VHD (16 MiB and its footer), of which
	// three pages are sent: the two with data and the footer's. It
	// becomes an image, and a second upload of it sends nothing.
	disk := qcow2(t, 16<<20, map[int64]string{0: "boot sector", 9<<20 + 3: "data"})
	code, out, errOut = z("upload-blob", "--storage-account", "stratasim", "--no-progress", disk)
	vhdURL := url + "/stratasim/vhds/disk.vhd"
	if code != 0 || !strings.Contains(out, "to "+vhdURL+": 16777728 bytes, 1536 sent,") || !strings.Contains(out, "ore azure create-image --blob "+vhdURL) {
		t.Fatalf("upload-blob: %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = z("create-image", "--blob", vhdURL, "--resource-group", "strata-images", "--name", "disk")
	if code != 0 || !strings.Contains(out, "Succeeded from "+vhdURL) {
		t.Fatalf("create-image from the upload: %d\n%s\n%s", code, out, errOut)
	}
	imageID := strings.Fields(out)[1]
	// ...and a gallery image version of it, in two regions.
	code, out, errOut = z("create-gallery-image", "--resource-group", "strata-images", "--gallery", "strata_gallery", "--image-definition", "disk",
		"--version", "1.2.3", "--source-image", imageID, "--target-region", "westus2", "--target-region", "eastus")
	versionID := imageID[:strings.Index(imageID, "/providers/")] + "/providers/Microsoft.Compute/galleries/strata_gallery/images/disk/versions/1.2.3"
	if code != 0 || !strings.Contains(out, "gallery image version "+versionID+" Succeeded, replication Completed to westus2, eastus") {
		t.Fatalf("create-gallery-image: %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = z("list-images")
	if code != 0 || !strings.Contains(out, "strata_gallery/disk/1.2.3 (westus2,eastus)") {
		t.Errorf("list-images with a gallery version: %d\n%s", code, out)
	}
	code, out, errOut = z("delete-image", versionID)
	if code != 0 || !strings.Contains(out, "deleted gallery image version "+versionID) {
		t.Errorf("delete-image of a gallery version: %d %s %s", code, out, errOut)
	}
	// qemu-img stamps the VHD it converts to with the time and a random
	// ID: the same disk converted again differs in its footer alone,
	// which is all that is sent again.
	code, out, _ = z("upload-blob", "--storage-account", "stratasim", "--no-progress", disk)
	if code != 0 || !strings.Contains(out, ": 16777728 bytes, 512 sent, 16776192 zero (not sent), 1024 sent by an earlier") {
		t.Errorf("upload-blob again: %d\n%s", code, out)
	}
	code, out, _ = z("gc", "--dry-run", "--duration", "1ns", "--storage-account", "stratasim")
	if code != 0 || !strings.Contains(out, "would delete blob stratasim/vhds/disk.vhd") {
		t.Errorf("gc --dry-run --storage-account: %d\n%s", code, out)
	}
	code, out, errOut = z("upload-blob", "--storage-account", "stratasim", "--no-progress", "--blob", "disk.vhd", writeFile(t, "other.raw", strings.Repeat("x", 1<<20)))
	if code != 1 || !strings.Contains(errOut, "pass --overwrite") {
		t.Errorf("upload-blob of another file over it: %d\n%s\n%s", code, out, errOut)
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"upload-blob", "--storage-account", "nosuch", disk}, 1, `there is no storage account "nosuch"`},
		{[]string{"create-gallery-image", "--resource-group", "g", "--gallery", "g", "--image-definition", "d", "--version", "1.0.0"}, 2, "the version needs a source"},
		{[]string{"create-gallery-image", "--resource-group", "g", "--gallery", "g", "--image-definition", "d", "--version", "1.0.0", "--blob", "https://a/b.vhd"}, 2, "--blob needs --storage-account-id"},
		{[]string{"create-gallery-image", "--resource-group", "g", "--gallery", "g", "--image-definition", "d", "--version", "1.0.0", "--source-image", "urn:x"}, 2, `--source-image "urn:x"`},
		{[]string{"upload-blob", "--storage-account", "Bad_Name", disk}, 1, `storage account "Bad_Name": 3 to 24 lower-case letters and digits`},
		{[]string{"upload-blob", "--storage-account", "stratasim", "--parallel", "0", disk}, 2, "--parallel 0: must be at least 1"},
		{[]string{"upload-blob", "--storage-account", "stratasim", filepath.Join(state, "nothing.qcow2")}, 2, "nothing.qcow2"},
		{[]string{"create-image", "--blob", url + "/stratasim/vhds/nothing.vhd", "--resource-group", "strata-images", "--name", "n"}, 1, "/stratasim/vhds/nothing.vhd does not exist"},
		{[]string{"delete-image", "user-images/flatcar-dev-1"}, 1, "image flatcar-dev-1 in resource group user-images: 404 ResourceNotFound"},
		{[]string{"delete-image", "flatcar-dev-1"}, 2, `image "flatcar-dev-1": neither GROUP/NAME nor a resource ID`},
		{[]string{"delete-image", "/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/d/versions/1.0.0"}, 1, "it is in subscription x, not "},
		{[]string{"delete-image", "/subscriptions/x/resourceGroups/g/providers/Microsoft.Compute/disks/d"}, 2, "is not an image"},
		{[]string{"create-image", "--blob", "http://a/b.vhd", "--resource-group", "user-images", "--name", "n"}, 2, `--blob "http://a/b.vhd": not an https URL`},
		{[]string{"create-image", "--blob", blob, "--resource-group", "nope", "--name", "n"}, 1, "create image n in resource group nope: 404 ResourceGroupNotFound"},
		{[]string{"gc", "--duration", "0s"}, 2, "--duration must be positive"},
		{[]string{"simulate", "--listen", "127.0.0.1:0"}, 2, "--azure-endpoint: not used by azure simulate"},
	} {
		code, _, errOut := z(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("ore azure %v: %d %q, want %d %q", tc.args, code, errOut, tc.code, tc.want)
		}
	}
	// A simulator that is not there: the error names it, not a hang.
	code, _, errOut = ore(t, "azure", "--azure-endpoint", "https://127.0.0.1:1", "--azure-ca-file", acct.CAFile, "--azure-auth", acct.AuthFile, "list-images")
	if code != 1 || !strings.Contains(errOut, "127.0.0.1:1") {
		t.Errorf("no simulator: %d %s", code, errOut)
	}
}

// qcow2 writes a qcow2 disk of size bytes holding text at the offsets.
func qcow2(t *testing.T, size int64, data map[int64]string) string {
	t.Helper()
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img is not installed")
	}
	dir := t.TempDir()
	raw := filepath.Join(dir, "disk.raw")
	f, err := os.Create(raw)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(size)
	for off, s := range data {
		f.WriteAt([]byte(s), off)
	}
	f.Close()
	out := filepath.Join(dir, "disk.qcow2")
	if b, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, out).CombinedOutput(); err != nil {
		t.Fatalf("qemu-img: %v %s", err, b)
	}
	return out
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
