package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/gce"
	"github.com/strata-os/strata/providers/gce/api"
	"github.com/strata-os/strata/providers/gce/sim"
)

// gceEnv is a simulated Compute Engine project and plume's flags for it.
type gceEnv struct {
	s        *sim.Server
	url      string
	imageDir string
}

func newGCEEnv(t *testing.T) *gceEnv {
	t.Helper()
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "never-read.json"))
	// Image operations take a few looks to finish, so a pre-release run
	// again right after one was cut off finds its image still pending.
	s := sim.New(sim.Options{OperationPolls: 5})
	s.AddBucket("rel")
	srv := s.Start()
	t.Cleanup(srv.Close)
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(make([]byte, 4096))
	w.Close()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "gce.tar.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return &gceEnv{s: s, url: srv.URL, imageDir: dir}
}

func (e *gceEnv) flags(args ...string) []string {
	return append([]string{"--gce-endpoint", e.url, "--gce-project", "strata-sim", "--gce-release-bucket", "rel", "--gce-poll", "1ms"}, args...)
}

func (e *gceEnv) client(t *testing.T) *api.Client {
	t.Helper()
	c, err := gce.Connect(context.Background(), gce.Account{Project: "strata-sim", Zone: "us-central1-a", Endpoint: e.url}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *gceEnv) image(name string) (sim.Image, bool) {
	for _, img := range e.s.Images() {
		if img.Name == name {
			return img, true
		}
	}
	return sim.Image{}, false
}

// The release on the simulated Compute Engine: a pre-release cut off
// just after the image was asked for (the answer lost, the client gone)
// is finished by running it again, which waits for that image rather
// than making another; release shares it with every account and writes
// the manifest; a newer release deprecates it (its family moves on);
// prune deletes it and its disk; GC never takes release images.
func TestReleaseScenarioGCE(t *testing.T) {
	e := newGCEEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	e.s.Faults().Set(fault.Rule{Call: "compute.images.insert", Times: 1, Effect: fault.LoseAnswer, Hook: cancel})
	pre := func(v string) []string {
		return e.flags("pre-release", "--version", v, "--channel", "stable", "--image-dir", e.imageDir)
	}
	code, _, stderr := plumeIn(t, ctx, nil, pre("1.0.0")...)
	if code != 130 {
		t.Fatalf("pre-release cut off: exit %d\n%s", code, stderr)
	}
	if img, ok := e.image("strata-stable-1-0-0-amd64"); !ok || img.Status == "READY" {
		t.Fatalf("after the cut: %+v, %v (want the image asked for, not made yet)", img, ok)
	}
	code, stdout, stderr := plume(t, nil, pre("1.0.0")...)
	if code != 0 || !strings.Contains(stderr, "waiting for image strata-stable-1-0-0-amd64 (made by an earlier attempt)") || strings.Contains(stderr, "uploading") {
		t.Fatalf("pre-release again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if n := len(e.s.Images()); n != 1 {
		t.Errorf("%d images, want 1", n)
	}
	img, _ := e.image("strata-stable-1-0-0-amd64")
	if img.Status != "READY" || img.Family != "strata-stable" || img.Labels[gce.VersionLabel] != "1_0_0" || len(img.Bindings) != 0 {
		t.Errorf("pre-released image: %+v", img)
	}

	if code, _, stderr := plume(t, nil, e.flags("release", "--version", "1.0.0", "--channel", "stable")...); code != 0 {
		t.Fatalf("release: exit %d\n%s", code, stderr)
	}
	if img, _ := e.image("strata-stable-1-0-0-amd64"); len(img.Bindings[api.ImageUserRole]) != 1 || img.Bindings[api.ImageUserRole][0] != api.PublicMember {
		t.Errorf("released image's IAM bindings: %v", img.Bindings)
	}
	c := e.client(t)
	m, err := c.ReadObject(context.Background(), "rel", "stable/amd64-usr/current/strata_production_release.json", 1<<20)
	if err != nil || !strings.Contains(string(m), `"id": "strata-stable-1-0-0-amd64"`) || !strings.Contains(string(m), `"gce"`) {
		t.Errorf("manifest: %s, %v", m, err)
	}

	for _, step := range [][]string{pre("1.1.0"), e.flags("release", "--version", "1.1.0", "--channel", "stable")} {
		code, _, stderr := plume(t, nil, step...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", step, code, stderr)
		}
		if step[len(step)-5] == "release" && !strings.Contains(stderr, "deprecated strata-stable-1-0-0-amd64 for strata-stable-1-1-0-amd64") {
			t.Errorf("release 1.1.0:\n%s", stderr)
		}
	}
	if fam, err := c.ImageFromFamily(context.Background(), "strata-sim", "strata-stable"); err != nil || fam.Name != "strata-stable-1-1-0-amd64" {
		t.Errorf("family after 1.1.0: %+v, %v", fam, err)
	}

	code, stdout, stderr = plume(t, nil, e.flags("prune", "--channel", "stable", "--keep", "1")...)
	if code != 0 || !strings.Contains(stdout, "gce stable: kept 1.1.0; deleted 1.0.0") {
		t.Fatalf("prune: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, ok := e.image("strata-stable-1-0-0-amd64"); ok {
		t.Error("1.0.0's image left after prune")
	}
	if _, err := c.Object(context.Background(), "rel", "stable/amd64-usr/1.0.0/strata_production_gce.tar.gz"); !api.IsNotFound(err) {
		t.Errorf("1.0.0's disk after prune: %v", err)
	}
	items, err := gce.GC(context.Background(), c, "", cloud.GCOptions{DryRun: true, OlderThan: time.Nanosecond, Now: func() time.Time { return time.Now().Add(time.Hour) }})
	if err != nil || len(items) != 0 {
		t.Errorf("gc would take %v, %v", items, err)
	}
}

// One release on two clouds: the manifest in each cloud's bucket names
// both clouds' images.
func TestReleaseOnTwoClouds(t *testing.T) {
	a, g := newAWSEnv(t), newGCEEnv(t)
	os.Rename(filepath.Join(g.imageDir, "gce.tar.gz"), filepath.Join(a.imageDir, "gce.tar.gz"))
	both := func(args ...string) []string { return a.flags(g.flags(args...)...) }
	for _, step := range [][]string{
		both("pre-release", "--version", "2.0.0", "--channel", "beta", "--image-dir", a.imageDir),
		both("release", "--version", "2.0.0", "--channel", "beta"),
	} {
		if code, stdout, stderr := plume(t, nil, step...); code != 0 {
			t.Fatalf("%v: exit %d\n%s\n%s", step, code, stdout, stderr)
		}
	}
	s3 := a.object(t, "releases", "beta/amd64-usr/2.0.0/strata_production_release.json")
	gcs, err := g.client(t).ReadObject(context.Background(), "rel", "beta/amd64-usr/2.0.0/strata_production_release.json", 1<<20)
	if err != nil || string(gcs) != s3 {
		t.Errorf("the two buckets' manifests differ (%v):\n%s\n%s", err, s3, gcs)
	}
	for _, want := range []string{`"aws"`, `"gce"`, `"id": "strata-beta-2-0-0-amd64"`, `"region": "eu-west-1"`} {
		if !strings.Contains(s3, want) {
			t.Errorf("manifest lacks %s:\n%s", want, s3)
		}
	}
}
