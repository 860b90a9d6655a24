package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/openstack"
	"github.com/strata-os/strata/providers/openstack/sim"
)

// osEnv is a simulated OpenStack cloud and plume's flags for it.
type osEnv struct {
	s        *sim.Server
	clouds   string
	imageDir string
}

func newOSEnv(t *testing.T) *osEnv {
	t.Helper()
	s := sim.New(sim.Options{})
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddUser("plume", "plume-test-password")
	dir := t.TempDir()
	clouds := fmt.Sprintf("clouds:\n  sim:\n    auth:\n      auth_url: %s/identity\n      username: plume\n      password: plume-test-password\n"+
		"      project_name: %s\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n    interface: public\n    identity_api_version: 3\n",
		srv.URL, sim.ProjectName)
	if err := os.WriteFile(filepath.Join(dir, "clouds.yaml"), []byte(clouds), 0o600); err != nil {
		t.Fatal(err)
	}
	images := t.TempDir()
	if err := os.WriteFile(filepath.Join(images, "openstack.qcow2"), append([]byte("QFI\xfb\x00\x00\x00\x03"), make([]byte, 1<<20)...), 0o644); err != nil {
		t.Fatal(err)
	}
	return &osEnv{s: s, clouds: filepath.Join(dir, "clouds.yaml"), imageDir: images}
}

func (e *osEnv) flags(args ...string) []string {
	return append([]string{"--platform", "openstack", "--os-cloud", "sim", "--os-clouds-file", e.clouds}, args...)
}

func (e *osEnv) releaseImages(t *testing.T, version string) []openstack.ReleaseImage {
	t.Helper()
	c, err := openstack.Connect(context.Background(), openstack.Account{Cloud: "sim", CloudsFile: e.clouds}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := openstack.ReleaseImages(context.Background(), c, "stable", version)
	if err != nil {
		t.Fatal(err)
	}
	return imgs
}

// The release on a simulated OpenStack cloud: an upload cut off is made
// again whole, release makes the image public, prune deletes the older
// release, and GC never takes release images.
func TestReleaseScenarioOpenStack(t *testing.T) {
	e := newOSEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	e.s.Faults().Set(fault.Rule{Call: "imagedata.Upload", Times: 1, Effect: fault.ServerError, Hook: cancel})
	pre := func(v string) []string {
		return e.flags("pre-release", "--version", v, "--channel", "stable", "--image-dir", e.imageDir)
	}
	if code, _, stderr := plumeIn(t, ctx, nil, pre("1.0.0")...); code != 130 {
		t.Fatalf("pre-release cut off: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := plume(t, nil, pre("1.0.0")...)
	if code != 0 || !strings.Contains(stdout, "openstack: ") {
		t.Fatalf("pre-release again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	imgs := e.releaseImages(t, "1.0.0")
	if len(imgs) != 1 || imgs[0].Visibility == "public" || imgs[0].Name != "strata-stable-1.0.0-amd64" {
		t.Fatalf("pre-released: %+v", imgs)
	}
	if code, _, stderr := plume(t, nil, pre("1.0.0")...); code != 0 || !strings.Contains(stderr, "is there already") {
		t.Errorf("pre-release a third time: %d\n%s", code, stderr)
	}
	if code, _, stderr := plume(t, nil, e.flags("release", "--version", "1.0.0", "--channel", "stable")...); code != 0 {
		t.Fatalf("release: exit %d\n%s", code, stderr)
	}
	if imgs := e.releaseImages(t, "1.0.0"); len(imgs) != 1 || imgs[0].Visibility != "public" {
		t.Errorf("released: %+v", imgs)
	}
	for _, step := range [][]string{pre("1.1.0"), e.flags("release", "--version", "1.1.0", "--channel", "stable")} {
		if code, _, stderr := plume(t, nil, step...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", step, code, stderr)
		}
	}
	code, stdout, stderr = plume(t, nil, e.flags("prune", "--channel", "stable", "--keep", "1")...)
	if code != 0 || !strings.Contains(stdout, "openstack stable: kept 1.1.0; deleted 1.0.0") {
		t.Fatalf("prune: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if imgs := e.releaseImages(t, "1.0.0"); len(imgs) != 0 {
		t.Errorf("1.0.0 after prune: %+v", imgs)
	}
	c, _ := openstack.Connect(context.Background(), openstack.Account{Cloud: "sim", CloudsFile: e.clouds}, nil, nil)
	items, err := openstack.GC(context.Background(), c, cloud.GCOptions{DryRun: true, OlderThan: time.Nanosecond, Now: func() time.Time { return time.Now().Add(time.Hour) }})
	if err != nil || len(items) != 0 {
		t.Errorf("gc would take %v, %v", items, err)
	}
}

// OpenStack has no release bucket: released beside AWS, its image is in
// the manifest AWS's bucket holds.
func TestOpenStackInTheManifest(t *testing.T) {
	a, o := newAWSEnv(t), newOSEnv(t)
	os.Rename(filepath.Join(o.imageDir, "openstack.qcow2"), filepath.Join(a.imageDir, "openstack.qcow2"))
	both := func(args ...string) []string {
		return a.flags(append([]string{"--platform", "aws", "--platform", "openstack", "--os-cloud", "sim", "--os-clouds-file", o.clouds}, args...)...)
	}
	for _, step := range [][]string{
		both("pre-release", "--version", "3.0.0", "--channel", "stable", "--image-dir", a.imageDir),
		both("release", "--version", "3.0.0", "--channel", "stable"),
	} {
		if code, stdout, stderr := plume(t, nil, step...); code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", step, code, stdout, stderr)
		}
	}
	m := a.object(t, "releases", "stable/amd64-usr/3.0.0/strata_production_release.json")
	if !strings.Contains(m, `"openstack"`) || !strings.Contains(m, `"name": "strata-stable-3.0.0-amd64"`) {
		t.Errorf("manifest:\n%s", m)
	}
}
