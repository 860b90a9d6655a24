package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/do"
	"github.com/strata-os/strata/providers/do/sim"
)

// The release on a simulated DigitalOcean: an import whose answer was
// lost while its client went away is found again and waited for (one
// image, not two); release says the image stays the account's; prune
// deletes the older release; GC never takes release images.
func TestReleaseScenarioDO(t *testing.T) {
	s := sim.New(sim.Options{})
	srv := s.Start()
	defer srv.Close()
	s.AddToken("plume-test-token")
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("access-token: plume-test-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The disk, served slowly until the test lets it go: the first
	// import is still under way when its client is gone.
	hold := make(chan struct{})
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "1.0.0") {
			<-hold
		}
		w.Write(make([]byte, 64<<10))
	}))
	defer files.Close()
	defer func() {
		select {
		case <-hold:
		default:
			close(hold)
		}
	}()
	flags := func(args ...string) []string {
		return append([]string{"--platform", "do", "--do-config-file", cfg, "--do-endpoint", srv.URL, "--do-poll", "5ms",
			"--do-image-url", files.URL + "/{channel}/{version}/do.raw"}, args...)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.Faults().Set(fault.Rule{Call: "Images.Create", Times: 1, Effect: fault.LoseAnswer, Hook: cancel})
	if code, _, stderr := plumeIn(t, ctx, nil, flags("pre-release", "--version", "1.0.0", "--channel", "stable")...); code != 130 {
		t.Fatalf("pre-release cut off: exit %d\n%s", code, stderr)
	}
	close(hold)
	code, stdout, stderr := plume(t, nil, flags("pre-release", "--version", "1.0.0", "--channel", "stable")...)
	if code != 0 || !strings.Contains(stderr, "asked for by an earlier attempt") && !strings.Contains(stderr, "is there already") {
		t.Fatalf("pre-release again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	c, err := do.Connect(context.Background(), do.Account{ConfigFile: cfg, Endpoint: srv.URL}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := do.ReleaseImages(context.Background(), c, "stable", "1.0.0")
	if err != nil || len(imgs) != 1 || imgs[0].Status != "available" {
		t.Fatalf("pre-released: %+v, %v", imgs, err)
	}
	if all, _ := c.Images(context.Background()); len(all) != 1 {
		t.Errorf("%d images, want 1 (the import asked for twice)", len(all))
	}
	code, _, stderr = plume(t, nil, flags("release", "--version", "1.0.0", "--channel", "stable")...)
	if code != 0 || !strings.Contains(stderr, "stays the account's: DigitalOcean has no public custom images") {
		t.Errorf("release: exit %d\n%s", code, stderr)
	}
	for _, step := range [][]string{flags("pre-release", "--version", "1.1.0", "--channel", "stable"), flags("release", "--version", "1.1.0", "--channel", "stable")} {
		if code, _, stderr := plume(t, nil, step...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", step, code, stderr)
		}
	}
	code, stdout, stderr = plume(t, nil, flags("prune", "--channel", "stable", "--keep", "1")...)
	if code != 0 || !strings.Contains(stdout, "do stable: kept 1.1.0; deleted 1.0.0") {
		t.Fatalf("prune: exit %d\n%s\n%s", code, stdout, stderr)
	}
	items, err := do.GC(context.Background(), c, cloud.GCOptions{DryRun: true, OlderThan: time.Nanosecond, Now: func() time.Time { return time.Now().Add(time.Hour) }})
	if err != nil || len(items) != 0 {
		t.Errorf("gc would take %v, %v", items, err)
	}
}
