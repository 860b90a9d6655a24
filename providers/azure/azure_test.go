package azure

import (
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/azure/sim"
)

func TestValidate(t *testing.T) {
	good := Flags{Image: "kinvolk:flatcar-container-linux-free:stable:latest", Size: "Standard_D2s_v3", BootTimeout: time.Minute}
	for _, tc := range []struct {
		name    string
		edit    func(*Flags)
		wantErr string
	}{
		{"marketplace urn", func(*Flags) {}, ""},
		{"managed image", func(f *Flags) {
			f.Image = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/flatcar"
		}, ""},
		{"gallery version", func(f *Flags) {
			f.Image = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/flatcar/versions/1.2.3"
		}, ""},
		{"no image", func(f *Flags) { f.Image = "" }, "--azure-image is required"},
		{"short urn", func(f *Flags) { f.Image = "kinvolk:flatcar:stable" }, "--azure-image \"kinvolk:flatcar:stable\": neither"},
		{"not an image", func(f *Flags) {
			f.Image = "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/d"
		}, "is not an image"},
		{"bad size", func(f *Flags) { f.Size = "D2 s" }, "--azure-size"},
		{"no timeout", func(f *Flags) { f.BootTimeout = 0 }, "--azure-boot-timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := good
			tc.edit(&f)
			_, err := f.validate()
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

func TestConnectRefuses(t *testing.T) {
	auth := writeAuthFile(t, map[string]string{"clientId": "c", "clientSecret": testSecret, "tenantId": "t"})
	for _, tc := range []struct {
		name    string
		a       Account
		wantErr string
	}{
		{"plain http endpoint", Account{Location: "westus2", AuthFile: auth, Subscription: "s", Endpoint: "http://127.0.0.1:1"}, "not an https URL"},
		{"no subscription", Account{Location: "westus2", AuthFile: auth}, "no subscription"},
		{"missing file", Account{Location: "westus2", AuthFile: auth + ".gone", Subscription: "s"}, "azureAuth.json.gone"},
		{"missing CA file", Account{Location: "westus2", AuthFile: auth, Subscription: "s", CAFile: auth + ".pem"}, "--azure-ca-file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Connect(context.Background(), tc.a, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !platform.IsUsage(err) {
				t.Errorf("error %v, want a usage error saying %q", err, tc.wantErr)
			}
		})
	}
}

func TestNames(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}[a-z0-9]$`)
	for _, cluster := range []string{"basic.cluster", "Ignition/Files", "9lives", strings.Repeat("very-long-name.", 8)} {
		n := machineName(cluster, 12)
		if !valid.MatchString(n) || len(n) > 60 {
			t.Errorf("machineName(%q) = %q: not a valid VM and host name", cluster, n)
		}
		if machineName(cluster, 12) == n {
			t.Errorf("machineName(%q) twice gave %q: a cluster made again would reuse it", cluster, n)
		}
	}
	if g := groupName("kola-20261202-220000"); !strings.HasPrefix(g, "strata-kola-20261202-220000-") || len(g) > 90 {
		t.Errorf("groupName = %q", g)
	}
}

// The image is looked up before anything is made; one that is not
// there is the user's mistake, named by the flag.
func TestMissingImage(t *testing.T) {
	b := startSim(t, sim.Options{})
	b.flags.Image = "kinvolk:flatcar-container-linux-free:alpha:latest"
	_, err := b.NewFlight(context.Background(), platform.FlightOptions{Name: "img", OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err == nil || !platform.IsUsage(err) || !strings.Contains(err.Error(), "--azure-image") {
		t.Fatalf("error %v, want a usage error naming --azure-image", err)
	}
	if left := b.Leftovers(); len(left) != 0 {
		t.Errorf("a refused flight left %v", left)
	}
}

// Userdata over Azure's 64 KiB of custom data is refused before any call,
// naming its size.
func TestUserDataTooBig(t *testing.T) {
	b := startSim(t, sim.Options{})
	ctx := context.Background()
	f, err := b.NewFlight(ctx, platform.FlightOptions{Name: "big", OutputDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Destroy(ctx)
	c, err := f.NewCluster(ctx, platform.ClusterOptions{Name: "big", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	before := len(b.s.Launched())
	_, err = c.NewMachine(ctx, conf.Script("#!/bin/sh\n# "+strings.Repeat("x", 70*1024)+"\n"))
	if err == nil || !strings.Contains(err.Error(), "custom data limit of 65536") || !strings.Contains(err.Error(), "userdata is 7") {
		t.Fatalf("error %v, want one naming the size and the limit", err)
	}
	if len(b.s.Launched()) != before || len(b.s.Resources("Microsoft.Network/networkInterfaces")) != 0 {
		t.Errorf("resources were made for a machine refused before any call")
	}
}
