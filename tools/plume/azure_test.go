package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure"
	"github.com/strata-os/strata/providers/azure/sim"
)

// azureEnv is a simulated Azure subscription with a release group and
// storage account, and plume's flags for it.
type azureEnv struct {
	s        *sim.Server
	acct     azure.Account
	imageDir string
}

func newAzureEnv(t *testing.T) *azureEnv {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // the VHD conversion's cache
	s := sim.New(sim.Options{})
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddClient("plume-app", "plume-test-secret")
	s.AddGroup("releases", nil)
	if !s.AddStorageAccount("releases", "stratareleases") {
		t.Fatal("no storage account")
	}
	dir := t.TempDir()
	auth, _ := json.Marshal(map[string]string{"clientId": "plume-app", "clientSecret": "plume-test-secret", "tenantId": s.Tenant(), "subscriptionId": s.Subscription()})
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	for name, b := range map[string][]byte{"auth.json": auth, "ca.pem": ca} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	images := t.TempDir()
	// A raw disk: plume converts it to a fixed VHD.
	if err := os.WriteFile(filepath.Join(images, "azure.vhd"), append([]byte("boot sector"), make([]byte, 1<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	return &azureEnv{s: s, imageDir: images, acct: azure.Account{Endpoint: srv.URL, CAFile: filepath.Join(dir, "ca.pem"),
		AuthFile: filepath.Join(dir, "auth.json"), Location: "westus2"}}
}

func (e *azureEnv) flags(args ...string) []string {
	return append([]string{"--platform", "azure", "--azure-endpoint", e.acct.Endpoint, "--azure-ca-file", e.acct.CAFile,
		"--azure-auth", e.acct.AuthFile, "--azure-location", e.acct.Location, "--azure-resource-group", "releases",
		"--azure-gallery", "strata_releases", "--azure-storage-account", "stratareleases", "--azure-regions", "westus2,eastus",
		"--azure-poll", "1ms"}, args...)
}

func (e *azureEnv) releases(t *testing.T, version string) []azure.ReleaseImage {
	t.Helper()
	c, err := azure.Connect(context.Background(), e.acct, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := azure.ReleaseImages(context.Background(), c, azure.ReleaseGallery{Group: "releases", Gallery: "strata_releases",
		DefinitionPrefix: "strata"}, "stable", version)
	if err != nil {
		t.Fatal(err)
	}
	return imgs
}

// bootLatest makes a machine from the channel's image definition, as a
// user naming the channel does: it boots the definition's latest version
// (the version the simulator reports), or fails when there is none.
func (e *azureEnv) bootLatest(t *testing.T) (string, error) {
	t.Helper()
	ctx := context.Background()
	def := "/subscriptions/" + e.s.Subscription() + "/resourceGroups/releases/providers/Microsoft.Compute/galleries/strata_releases/images/strata-stable"
	f, err := azure.NewFlight(ctx, azure.Flags{Account: e.acct, Image: def, Size: "Standard_D2s_v3", BootTimeout: time.Minute},
		platform.FlightOptions{Name: "latest", OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return "", err
	}
	defer f.Destroy(context.Background())
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "latest", OutputDir: t.TempDir()})
	if err != nil {
		return "", err
	}
	if _, err := c.NewMachine(ctx, conf.Script("#!/bin/sh\ntrue\n")); err != nil {
		return "", err
	}
	for _, vm := range e.s.Resources("Microsoft.Compute/virtualMachines") {
		if ref, ok := vm.Properties["storageProfile"].(map[string]any)["imageReference"].(map[string]any); ok {
			v, _ := ref["exactVersion"].(string)
			return v, nil
		}
	}
	return "", nil
}

// The release on a simulated Azure subscription: the version's creation
// cut off with its answer lost, pre-release again finishes it (one
// version, the VHD gone once the version holds its copy); the channel's
// latest boots nothing until release includes it; a newer release
// becomes latest; prune deletes the older one; GC never takes releases.
func TestReleaseScenarioAzure(t *testing.T) {
	if testing.Short() {
		t.Skip("converts a disk with qemu-img")
	}
	e := newAzureEnv(t)
	pre := func(v string) []string {
		return e.flags("pre-release", "--version", v, "--channel", "stable", "--image-dir", e.imageDir)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.s.Faults().Set(fault.Rule{Call: "Microsoft.Compute/galleries/images/versions/write", Times: 1, Effect: fault.LoseAnswer, Hook: cancel})
	if code, _, stderr := plumeIn(t, ctx, nil, pre("1.0.0")...); code != 130 {
		t.Fatalf("pre-release cut off: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := plume(t, nil, pre("1.0.0")...)
	if code != 0 || !strings.Contains(stdout, "azure westus2: ") {
		t.Fatalf("pre-release again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	imgs := e.releases(t, "1.0.0")
	if len(imgs) != 1 || imgs[0].Latest || strings.Join(imgs[0].Regions, ",") != "westus2,eastus" {
		t.Fatalf("pre-released: %+v\n%s", imgs, stderr)
	}
	if n := len(e.s.Resources("Microsoft.Compute/galleries/images/versions")); n != 1 {
		t.Errorf("%d gallery image versions, want 1", n)
	}
	if b, _ := e.s.BlobContent("stratareleases", "strata-releases", "strata-stable-1.0.0.vhd"); b != nil {
		t.Errorf("the uploaded VHD (%d bytes) is left after the version was made", len(b))
	}
	if v, err := e.bootLatest(t); err == nil || !strings.Contains(err.Error(), "GalleryImageVersionNotFound") {
		t.Errorf("the channel's latest before release: version %q, %v", v, err)
	}
	if code, _, stderr := plume(t, nil, pre("1.0.0")...); code != 0 || !strings.Contains(stderr, "is there already") {
		t.Errorf("pre-release a third time: %d\n%s", code, stderr)
	}
	if code, _, stderr := plume(t, nil, e.flags("release", "--version", "1.0.0", "--channel", "stable")...); code != 0 {
		t.Fatalf("release: exit %d\n%s", code, stderr)
	}
	if imgs := e.releases(t, "1.0.0"); len(imgs) != 1 || !imgs[0].Latest {
		t.Errorf("released: %+v", imgs)
	}
	if v, err := e.bootLatest(t); err != nil || v != "1.0.0" {
		t.Errorf("the channel's latest after release: version %q, %v", v, err)
	}
	for _, step := range [][]string{pre("1.1.0"), e.flags("release", "--version", "1.1.0", "--channel", "stable")} {
		if code, _, stderr := plume(t, nil, step...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", step, code, stderr)
		}
	}
	if v, err := e.bootLatest(t); err != nil || v != "1.1.0" {
		t.Errorf("the channel's latest after 1.1.0: version %q, %v", v, err)
	}
	code, stdout, stderr = plume(t, nil, e.flags("prune", "--channel", "stable", "--keep", "1")...)
	if code != 0 || !strings.Contains(stdout, "azure stable: kept 1.1.0; deleted 1.0.0") {
		t.Fatalf("prune: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if imgs := e.releases(t, "1.0.0"); len(imgs) != 0 {
		t.Errorf("1.0.0 after prune: %+v", imgs)
	}
	c, _ := azure.Connect(context.Background(), e.acct, nil, nil)
	items, err := azure.GC(context.Background(), c, cloud.GCOptions{DryRun: true, OlderThan: time.Nanosecond, Now: func() time.Time { return time.Now().Add(time.Hour) }},
		azure.GCScope{StorageAccounts: []string{"stratareleases"}})
	if err != nil || len(items) != 0 {
		t.Errorf("gc would take %v, %v", items, err)
	}
}
