package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/aws"
	"github.com/strata-os/strata/providers/aws/sim"
	"github.com/strata-os/strata/providers/gce"
	gcesim "github.com/strata-os/strata/providers/gce/sim"
)

// gcAtScale times `ore aws gc` over n resources in the EC2 simulator, a
// quarter of them strata's and old (the credentials cloudFlight set are
// used).
func gcAtScale(ctx context.Context, n int) (time.Duration, int, error) {
	s := sim.New(sim.Options{PageSize: 1000})
	srv := httptest.NewServer(s)
	defer srv.Close()
	old, young := time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour)
	for i := range n {
		tags, created := map[string]string{"team": "db"}, old
		if i%2 == 0 {
			tags = aws.Tags(nil)
		}
		if i%4 >= 2 {
			created = young
		}
		switch i % 10 {
		case 0, 1, 2, 3:
			s.AddInstance(tags, created)
		case 4, 5, 6:
			s.AddKeyPair(fmt.Sprintf("key-%d", i), tags, created)
		case 7, 8:
			s.AddSnapshot(tags, created)
		default:
			s.AddImage(fmt.Sprintf("img-%d", i), s.AddSnapshot(tags, created), tags, created)
		}
	}
	client, err := aws.Connect(ctx, aws.Account{Region: "us-east-1", Endpoint: srv.URL}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	items, err := aws.GC(ctx, client, "", cloud.GCOptions{OlderThan: 24 * time.Hour})
	if err != nil {
		return 0, 0, err
	}
	return time.Since(start), len(items), nil
}

// gceGCAtScale times `ore gce gc` over n resources in the Compute Engine
// and Cloud Storage simulator (instances with their boot disks, loose
// disks, images, uploaded objects), a quarter of them strata's and old,
// listed in pages of 500, the API's largest, with the provider's own
// operation waits.
func gceGCAtScale(ctx context.Context, n int) (time.Duration, int, error) {
	const bucket = "kola-images"
	s := gcesim.New(gcesim.Options{PageSize: 500})
	srv := s.Start()
	defer srv.Close()
	s.AddBucket(bucket)
	old, young := time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour)
	for i := range n {
		labels, created := map[string]string{"team": "db"}, old
		if i%2 == 0 {
			labels = gce.Labels(nil)
		}
		if i%4 >= 2 {
			created = young
		}
		name := fmt.Sprintf("res-%05d", i)
		switch i % 10 {
		case 0, 1, 2, 3:
			s.AddInstance(name, labels, created)
		case 4, 5:
			s.AddDisk(name, labels, created)
		case 6, 7:
			s.AddImage("strata-sim", name, "", labels, created)
		default:
			s.AddObject(bucket, name+".tar.gz", []byte("x"), labels, created)
		}
	}
	// With an endpoint and no key file given, no credentials are read.
	client, err := gce.Connect(ctx, gce.Account{Project: "strata-sim", Zone: "us-central1-a", Endpoint: srv.URL},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	items, err := gce.GC(ctx, client, bucket, cloud.GCOptions{OlderThan: 24 * time.Hour})
	if err != nil {
		return 0, 0, err
	}
	return time.Since(start), len(items), nil
}
