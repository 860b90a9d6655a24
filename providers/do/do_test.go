package do

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do/sim"
)

func TestValidate(t *testing.T) {
	good := Flags{Image: "debian-12-x64", Region: "sfo3", Size: "s-1vcpu-2gb", BootTimeout: time.Minute}
	for _, tc := range []struct {
		name    string
		edit    func(*Flags)
		wantErr string
	}{
		{"slug", func(*Flags) {}, ""},
		{"image ID", func(f *Flags) { f.Image = "123456" }, ""},
		{"no image", func(f *Flags) { f.Image = "" }, "--do-image is required"},
		{"bad image", func(f *Flags) { f.Image = "Debian 12" }, `--do-image "Debian 12"`},
		{"bad region", func(f *Flags) { f.Region = "SFO 3" }, "--do-region"},
		{"bad size", func(f *Flags) { f.Size = "" }, "--do-size"},
		{"no timeout", func(f *Flags) { f.BootTimeout = 0 }, "--do-boot-timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := good
			tc.edit(&f)
			err := f.validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !platform.IsUsage(err) {
				t.Errorf("error %v, want a usage error saying %q", err, tc.wantErr)
			}
		})
	}
}

// What DigitalOcean refuses is refused before any droplet is asked for:
// an image that is not there (naming the flag), and userdata over its
// 64 KiB (naming the size).
func TestRefusedEarly(t *testing.T) {
	b := startSim(t, sim.Options{})
	ctx := context.Background()
	b.flags.Image = "nothing-99-x64"
	_, err := b.NewFlight(ctx, platform.FlightOptions{Name: "noimage", OutputDir: t.TempDir()})
	if err == nil || !platform.IsUsage(err) || !strings.Contains(err.Error(), `--do-image "nothing-99-x64"`) || !strings.Contains(err.Error(), "404") {
		t.Errorf("a missing image: %v", err)
	}
	b.flags.Image = "debian-12-x64"
	f, err := b.NewFlight(ctx, platform.FlightOptions{Name: "big", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Destroy(ctx)
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "big", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.NewMachine(ctx, conf.Script("#!/bin/sh\n# "+strings.Repeat("x", 70<<10)+"\n"))
	if err == nil || !strings.Contains(err.Error(), "more than DigitalOcean's limit of 65536") {
		t.Errorf("70 KiB of userdata: %v", err)
	}
	if len(b.s.Launched()) != 0 {
		t.Errorf("droplets were asked for: %v", b.s.Launched())
	}
}
