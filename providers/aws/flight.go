package aws

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/api"
)

type flight struct {
	*platform.BaseFlight
	flags   Flags
	api     *api.Client
	keyName string
	network *api.Network
	distro  string
}

// Distro is "flatcar" when the AMI came from a channel of Flatcar's
// release list, else unknown (platform.DistroReporter).
func (f *flight) Distro() string { return f.distro }

// NewFlight validates the flags, connects, finds the security group and
// registers the flight's SSH key as an EC2 key pair.
func NewFlight(ctx context.Context, f Flags, opts platform.FlightOptions) (platform.Flight, error) {
	return newFlight(ctx, f, opts, nil)
}

// newFlight lets tests tune the API client (fast retries).
func newFlight(ctx context.Context, f Flags, opts platform.FlightOptions, tune func(*api.Options)) (platform.Flight, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if opts.Arch != "" && opts.Arch != "amd64" && opts.Arch != "arm64" {
		return nil, platform.Usagef("aws: architecture %s is not supported (amd64, arm64)", opts.Arch)
	}
	base, err := platform.NewBaseFlight("aws", opts)
	if err != nil {
		return nil, err
	}
	client, err := Connect(ctx, f.Account, base.Logger(), tune)
	if err != nil {
		return nil, err
	}
	distro := ""
	if f.ReleaseURL == "" {
		f.ReleaseURL = DefaultReleaseURL
		if isChannel(f.AMI) {
			distro = "flatcar"
		}
	}
	if f.AMI, err = ResolveAMI(ctx, f.AMI, client.Region(), f.ReleaseURL, opts.Arch); err != nil {
		return nil, err
	}
	network, err := client.FindNetwork(ctx, f.SecurityGroup)
	if api.IsNotFound(err) {
		base.Logger().Info("security group not found: creating it, with a VPC, internet gateway, route table and subnet", "security_group", f.SecurityGroup, "region", client.Region())
		// VPCs have no creation time of their own: GC's age bound reads
		// this tag.
		network, err = client.CreateNetwork(ctx, f.SecurityGroup, Tags(map[string]string{CreatedTag: time.Now().UTC().Format(time.RFC3339)}))
	}
	if err != nil {
		return nil, fmt.Errorf("aws: security group %q (--aws-sg): %w", f.SecurityGroup, err)
	}
	fl := &flight{BaseFlight: base, flags: f, api: client, keyName: base.Name(), network: network, distro: distro}
	if err := client.ImportKeyPair(ctx, fl.keyName, base.SSHKey().AuthorizedKey, Tags(nil)); err != nil {
		return nil, fmt.Errorf("aws: %w", err)
	}
	base.Logger().Info("aws flight", "region", client.Region(), "ami", f.AMI, "type", f.InstanceType, "security_group", network.SecurityGroupID, "subnet", network.SubnetID)
	return fl, nil
}

func (f *flight) NewCluster(ctx context.Context, opts platform.ClusterOptions) (platform.Cluster, error) {
	// Volumes per test are not built yet; a test that needs one says so.
	if err := platform.RefuseAdditionalDisks("aws", opts); err != nil {
		return nil, err
	}
	c := &cluster{BaseCluster: platform.NewBaseCluster(f.BaseFlight, opts), flight: f}
	f.Track(c)
	return c, nil
}

// Destroy destroys the clusters, then any instance of the flight no
// cluster knows (a launch interrupted while EC2 was still acting on it),
// then the key pair.
func (f *flight) Destroy(ctx context.Context) error {
	err := f.BaseFlight.Destroy(ctx)
	ctx = context.WithoutCancel(ctx)
	if serr := f.sweep(ctx); serr != nil {
		err = errors.Join(err, serr)
	}
	if kerr := f.api.DeleteKeyPair(ctx, f.keyName); kerr != nil {
		err = errors.Join(err, kerr)
	}
	return err
}

// sweep terminates the flight's instances that are still there.
func (f *flight) sweep(ctx context.Context) error {
	return f.terminateTagged(ctx, map[string]string{flightTag: f.Name()}, "an instance of the flight that no cluster knew")
}

// terminateTagged terminates, and waits for, the instances with tags that
// are not terminated yet: what no Machine stands for (an interrupted
// launch's, a killed cluster's). It goes on after the caller's context
// ends, bounded by cleanupTimeout.
func (f *flight) terminateTagged(ctx context.Context, tags map[string]string, what string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	found, err := f.api.Instances(ctx, tags)
	if err != nil {
		return fmt.Errorf("look for %s: %w", what, err)
	}
	var errs []error
	for _, in := range found {
		if in.State == "terminated" {
			continue
		}
		f.Logger().Warn("terminating "+what, "instance", in.ID)
		m := &machine{cluster: &cluster{flight: f}, Machine: cloud.NewMachine(in.ID, nil)}
		if err := m.Destroy(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
