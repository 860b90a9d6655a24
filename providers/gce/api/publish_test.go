package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/providers/gce/api"
	"github.com/strata-os/strata/providers/gce/sim"
)

// A release's calls: an image shared with every account and read back
// as public; the family's older image deprecated for the newer (and the
// family then skips it); small objects written and read whole.
func TestReleaseCalls(t *testing.T) {
	c, s := simClient(t, sim.Options{})
	s.AddBucket("rel")
	s.AddObject("rel", "d.tar.gz", []byte{0x1f, 0x8b, 8, 0}, nil, time.Now())
	ctx := context.Background()
	for _, name := range []string{"os-1-0-0", "os-1-1-0"} {
		op, err := c.CreateImage(ctx, api.ImageSpec{Name: name, Family: "os-stable", SourceURI: "gs://rel/d.tar.gz"})
		if err != nil || c.Wait(ctx, op, time.Millisecond) != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		time.Sleep(2 * time.Millisecond) // creation times apart
	}
	if pub, err := c.ImagePublic(ctx, "os-1-1-0"); pub || err != nil {
		t.Fatalf("a new image public: %v, %v", pub, err)
	}
	for range 2 { // twice: the second finds the binding there
		if err := c.MakeImagePublic(ctx, "os-1-1-0"); err != nil {
			t.Fatal(err)
		}
	}
	if pub, err := c.ImagePublic(ctx, "os-1-1-0"); !pub || err != nil {
		t.Errorf("after MakeImagePublic: %v, %v", pub, err)
	}
	for _, img := range s.Images() {
		if img.Name == "os-1-1-0" && len(img.Bindings[api.ImageUserRole]) != 1 {
			t.Errorf("bindings %v: want the member once", img.Bindings)
		}
	}

	// Deprecating the newer one: the family falls back to the older.
	op, err := c.DeprecateImage(ctx, "os-1-1-0", "DEPRECATED", "os-1-0-0")
	if err != nil || c.Wait(ctx, op, time.Millisecond) != nil {
		t.Fatalf("deprecate: %v", err)
	}
	if img, err := c.ImageFromFamily(ctx, "strata-sim", "os-stable"); err != nil || img.Name != "os-1-0-0" {
		t.Errorf("family after deprecating its newest: %+v, %v", img, err)
	}
	if img, err := c.Image(ctx, "", "os-1-1-0"); err != nil || img.Deprecated != "DEPRECATED" {
		t.Errorf("deprecated image: %+v, %v", img, err)
	}
	op, err = c.DeprecateImage(ctx, "os-1-1-0", "", "")
	if err != nil || c.Wait(ctx, op, time.Millisecond) != nil {
		t.Fatalf("undeprecate: %v", err)
	}
	if img, err := c.ImageFromFamily(ctx, "strata-sim", "os-stable"); err != nil || img.Name != "os-1-1-0" || img.Deprecated != "" {
		t.Errorf("family after undeprecating: %+v, %v", img, err)
	}
	if _, err := c.DeprecateImage(ctx, "os-1-0-0", "DEPRECATED", "nosuch"); err == nil || !strings.Contains(err.Error(), "replacement") {
		t.Errorf("deprecating for a missing replacement: %v", err)
	}
	if err := c.MakeImagePublic(ctx, "nosuch"); !api.IsNotFound(err) {
		t.Errorf("a missing image made public: %v", err)
	}

	if err := c.PutObject(ctx, "rel", "stable/index.json", []byte(`{"v":1}`), "application/json"); err != nil {
		t.Fatal(err)
	}
	if data, err := c.ReadObject(ctx, "rel", "stable/index.json", 100); err != nil || string(data) != `{"v":1}` {
		t.Errorf("ReadObject: %q, %v", data, err)
	}
	if _, err := c.ReadObject(ctx, "rel", "missing", 100); !api.IsNotFound(err) {
		t.Errorf("reading a missing object: %v", err)
	}
	if _, err := c.ReadObject(ctx, "rel", "stable/index.json", 3); err == nil || !strings.Contains(err.Error(), "larger than 3 bytes") {
		t.Errorf("reading past the bound: %v", err)
	}
}
