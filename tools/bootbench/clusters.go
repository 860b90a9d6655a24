package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws"
	"github.com/strata-os/strata/providers/aws/sim"
)

// clusterReady times making n machines of one cluster through
// platform.NewMachines, as a kola test does.
func clusterReady(ctx context.Context, fl platform.Flight, n int) (time.Duration, error) {
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "bench-cluster"})
	if err != nil {
		return 0, err
	}
	defer c.Destroy(context.WithoutCancel(ctx))
	start := time.Now()
	if _, err := platform.NewMachines(ctx, c, n, nil); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// clusterOneByOne times making n machines one after another, as kola did
// before platform.NewMachines: the row it is measured against.
func clusterOneByOne(ctx context.Context, fl platform.Flight, n int) (time.Duration, error) {
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "bench-cluster"})
	if err != nil {
		return 0, err
	}
	defer c.Destroy(context.WithoutCancel(ctx))
	start := time.Now()
	for range n {
		if _, err := c.NewMachine(ctx, nil); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

// cloudFlight is an aws flight against the EC2 simulator with every call
// answered after latency, as a distant region would.
func cloudFlight(ctx context.Context, latency time.Duration) (platform.Flight, func(), error) {
	s := sim.New(sim.Options{})
	s.AddSecurityGroup("kola")
	s.Faults().Set(fault.Rule{Effect: fault.Delay, Latency: latency})
	srv := httptest.NewServer(s)
	dir, err := os.MkdirTemp("", "bootbench-aws-")
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
		"AWS_CONFIG_FILE": filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "none")} {
		os.Setenv(k, v)
	}
	flags := aws.Flags{Account: aws.Account{Region: "us-east-1", Endpoint: srv.URL}, AMI: "ami-0123456789abcdef0",
		InstanceType: "t3.small", SecurityGroup: "kola", BootTimeout: 5 * time.Minute}
	fl, err := aws.NewFlight(ctx, flags, platform.FlightOptions{Name: "bench", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		srv.Close()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	return fl, func() { fl.Destroy(context.WithoutCancel(ctx)); srv.Close(); os.RemoveAll(dir) }, nil
}
