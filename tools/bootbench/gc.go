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
// used), and checks that exactly those went.
func gcAtScale(ctx context.Context, n int) (time.Duration, int, error) {
	s := sim.New(sim.Options{PageSize: 1000})
	srv := httptest.NewServer(s)
	defer srv.Close()
	_, check := s.AddGCPopulation(n, aws.Tags(nil), time.Now())
	client, err := aws.Connect(ctx, aws.Account{Region: "us-east-1", Endpoint: srv.URL}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		return 0, 0, err
	}
	return timedGC(check, func() ([]cloud.GCItem, error) {
		return aws.GC(ctx, client, "", cloud.GCOptions{OlderThan: 24 * time.Hour})
	})
}

// gceGCAtScale times `ore gce gc` over n resources in the Compute Engine
// and Cloud Storage simulator (instances with their boot disks, loose
// disks, images, uploaded objects), a quarter of them strata's and old,
// listed in pages of 500, the API's largest, with the provider's own
// operation waits, and checks that exactly those went.
func gceGCAtScale(ctx context.Context, n int) (time.Duration, int, error) {
	const bucket = "kola-images"
	s := gcesim.New(gcesim.Options{PageSize: 500})
	srv := s.Start()
	defer srv.Close()
	s.AddBucket(bucket)
	_, check := s.AddGCPopulation(n, gce.Labels(nil), bucket, time.Now())
	// With an endpoint and no key file given, no credentials are read.
	client, err := gce.Connect(ctx, gce.Account{Project: "strata-sim", Zone: "us-central1-a", Endpoint: srv.URL},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		return 0, 0, err
	}
	return timedGC(check, func() ([]cloud.GCItem, error) {
		return gce.GC(ctx, client, bucket, cloud.GCOptions{OlderThan: 24 * time.Hour})
	})
}

// timedGC times gc and checks what it left.
func timedGC(check func() error, gc func() ([]cloud.GCItem, error)) (time.Duration, int, error) {
	start := time.Now()
	items, err := gc()
	took := time.Since(start)
	if err != nil {
		return 0, 0, err
	}
	if err := check(); err != nil {
		return 0, 0, fmt.Errorf("gc left the wrong resources: %w", err)
	}
	return took, len(items), nil
}
