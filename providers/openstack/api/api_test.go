package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/openstack/api"
	"github.com/strata-os/strata/providers/openstack/sim"
)

func connect(t *testing.T, opts sim.Options) (*sim.Server, *api.Client) {
	t.Helper()
	s := sim.New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddUser("kola", "pw")
	c, err := api.New(context.Background(), api.Options{
		Auth: gophercloud.AuthOptions{IdentityEndpoint: srv.URL + "/identity", Username: "kola", Password: "pw", DomainName: "Default",
			TenantName: sim.ProjectName},
		MaxRetries: 10, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func writeDisk(t *testing.T, size int) (string, []byte) {
	t.Helper()
	data := make([]byte, size)
	rand.Read(data)
	p := filepath.Join(t.TempDir(), "disk.qcow2")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p, data
}

func TestCreateImage(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rules []fault.Rule
	}{
		{"calm", nil},
		{"create answer lost", []fault.Rule{{Call: "images.Create", Times: 1, Effect: fault.LoseAnswer}}},
		{"upload fails twice", []fault.Rule{{Call: "imagedata.Upload", Times: 2, Effect: fault.ServerError}}},
		{"upload answer lost", []fault.Rule{{Call: "imagedata.Upload", Times: 1, Effect: fault.LoseAnswer}}},
		{"throttled", fault.Chaos(0.3, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c := connect(t, sim.Options{})
			file, data := writeDisk(t, 3<<20+17)
			s.Faults().Set(tc.rules...)
			var last int64
			im, err := c.CreateImage(context.Background(), api.ImageSpec{Name: "flatcar", DiskFormat: "qcow2", Tags: []string{"strata"},
				Properties: map[string]string{"version": "1.2.3"}}, file, func(n int64) { last = n })
			s.Faults().Set()
			if err != nil {
				t.Fatal(err)
			}
			got, ok := s.ImageInfo(im.ID)
			switch {
			case !ok || got.Status != "active" || got.Size != int64(len(data)):
				t.Errorf("image %+v", got)
			case got.Properties["version"] != "1.2.3" || len(got.Tags) != 1:
				t.Errorf("properties %v tags %v", got.Properties, got.Tags)
			case last != int64(len(data)):
				t.Errorf("progress ended at %d of %d", last, len(data))
			}
			all, err := c.Images(context.Background(), "strata")
			if err != nil || len(all) != 1 {
				t.Errorf("images tagged strata: %v %v (one upload must make one image)", all, err)
			}
		})
	}
}

func TestCreateImageRefused(t *testing.T) {
	s, c := connect(t, sim.Options{})
	file, _ := writeDisk(t, 1024)
	_, err := c.CreateImage(context.Background(), api.ImageSpec{Name: "x", DiskFormat: "floppy"}, file, nil)
	if !api.IsTerminal(err) || !strings.Contains(err.Error(), "Invalid disk format 'floppy'") {
		t.Errorf("a refused create: %v", err)
	}
	s.Faults().Set(fault.Rule{Call: "imagedata.Upload", Effect: fault.Error, Status: 413, Message: "Image storage media is full"})
	_, err = c.CreateImage(context.Background(), api.ImageSpec{Name: "x", DiskFormat: "raw"}, file, nil)
	if err == nil || !strings.Contains(err.Error(), "Image storage media is full") {
		t.Errorf("a refused upload: %v", err)
	}
	if all, _ := c.Images(context.Background(), ""); len(all) != 1 {
		t.Errorf("%d images after a refused upload, want only the public one (the queued image deleted)", len(all))
	}
}

// A token that lapses is renewed by signing in again.
func TestReauthenticates(t *testing.T) {
	s, c := connect(t, sim.Options{})
	s.ExpireTokens()
	if _, err := c.Servers(context.Background()); err != nil {
		t.Fatalf("after the token lapsed: %v", err)
	}
}

func TestErrorsCarryTheServicesMessage(t *testing.T) {
	s, c := connect(t, sim.Options{})
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"Nova", func() error { _, err := c.Server(ctx, "nope"); return err }, "404 Not Found: Instance nope could not be found."},
		{"Glance", func() error { _, err := c.Image(ctx, "nope"); return err }, "404 Not Found: No image found with ID nope"},
		{"Neutron", func() error {
			s.Faults().Set(fault.Rule{Call: "ports.List", Times: 1, Effect: fault.Error, Status: 403, Message: "policy forbids it"})
			_, err := c.Ports(ctx, "")
			return err
		}, "403 Forbidden: policy forbids it"},
		{"flavor", func() error { _, err := c.FlavorID(ctx, "m9.huge"); return err }, "no flavor has that name or ID"},
		{"network", func() error { _, err := c.FindNetwork(ctx, "nope"); return err }, "no network has that name or ID"},
	} {
		err := tc.call()
		var ae *api.Error
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an *api.Error with %q", tc.name, err, tc.want)
		}
	}
}

func TestImageIDByName(t *testing.T) {
	s, c := connect(t, sim.Options{})
	ctx := context.Background()
	id, err := c.ImageID(ctx, "cirros")
	if err != nil || id == "" {
		t.Fatalf("by name: %q %v", id, err)
	}
	if got, err := c.ImageID(ctx, id); err != nil || got != id {
		t.Errorf("by ID: %q %v", got, err)
	}
	s.AddImage("twin", nil, time.Now())
	s.AddImage("twin", nil, time.Now())
	if _, err := c.ImageID(ctx, "twin"); err == nil || !strings.Contains(err.Error(), "2 images have that name") {
		t.Errorf("an ambiguous name: %v", err)
	}
	if _, err := c.ImageID(ctx, "none"); !api.IsNotFound(err) {
		t.Errorf("no such image: %v", err)
	}
}

func TestCreateKeyPairAnswerLost(t *testing.T) {
	s, c := connect(t, sim.Options{})
	s.Faults().Set(fault.Rule{Call: "keypairs.Create", Times: 1, Effect: fault.LoseAnswer})
	key := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXmmAYJcHJMzXzcFn+SqI0dmTpbpqbcEmrMKs4WtCvK k"
	if err := c.CreateKeyPair(context.Background(), "k", key); err != nil {
		t.Fatalf("a create whose answer was lost: %v", err)
	}
	// Someone else's key pair of the same name is not taken for ours.
	s.AddKeyPair("theirs", time.Now())
	if err := c.CreateKeyPair(context.Background(), "theirs", key); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a name taken by another key: %v", err)
	}
	if !bytes.Equal([]byte(strings.Join(s.KeyPairs(), ",")), []byte("k,theirs")) {
		t.Errorf("key pairs %v", s.KeyPairs())
	}
}
