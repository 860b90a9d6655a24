package openstack

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack/api"
)

// How strata marks what it makes. Servers carry metadata; ports and
// floating IPs a description; security groups and key pairs a name.
// Each holds a path "FLIGHT/CLUSTER/MACHINE" (a prefix of it for what
// belongs to a cluster or a flight), so that one list finds everything
// of a machine, cluster or flight.
const (
	// CreatedByKey is the metadata key on every server strata makes, with
	// the value CreatedBy.
	CreatedByKey = "strata-created-by"
	CreatedBy    = "strata"
	// PathKey is the metadata key of a server's path.
	PathKey = "strata-path"
	// describedPrefix starts the description of every port and floating
	// IP strata makes; the path follows.
	describedPrefix = "strata "
	// ImageTag is on every image strata uploads.
	ImageTag = "strata"
	// keyPrefix and groupPrefix start the names of the key pairs and
	// security groups strata makes; the creation time (Unix seconds) and
	// the flight's tag follow, since key pairs take no description.
	keyPrefix   = "strata-key-"
	groupPrefix = "strata-sg-"
)

type flight struct {
	*platform.BaseFlight
	flags    Flags
	api      *api.Client
	tag      string // the flight's path
	imageID  string
	flavorID string
	network  string // ID
	pool     string // the floating IP network's ID, if any
	key      string // the key pair's name
	group    api.SecurityGroup
	// keptAny says a cluster kept a machine: its port is in the
	// flight's security group, which then outlives the flight.
	keptAny atomic.Bool
}

// cleanupTimeout bounds deleting what a failed create made, and the
// flight's servers, ports and key pair, which goes on after the caller's
// context is cancelled.
const cleanupTimeout = 10 * time.Minute

// NewFlight validates the flags, signs in, finds the image, flavor and
// networks, and makes the flight's key pair and security group.
func NewFlight(ctx context.Context, f Flags, opts platform.FlightOptions) (platform.Flight, error) {
	return newFlight(ctx, f, opts, nil)
}

// newFlight lets tests tune the API client (fast retries).
func newFlight(ctx context.Context, f Flags, opts platform.FlightOptions, tune func(*api.Options)) (platform.Flight, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if opts.Arch != "" && opts.Arch != "amd64" && opts.Arch != "arm64" {
		return nil, platform.Usagef("openstack: architecture %s is not supported (amd64, arm64)", opts.Arch)
	}
	base, err := platform.NewBaseFlight("openstack", opts)
	if err != nil {
		return nil, err
	}
	client, err := Connect(ctx, f.Account, base.Logger(), tune)
	if err != nil {
		return nil, err
	}
	fl := &flight{BaseFlight: base, flags: f, api: client, tag: flightTag(base.Name())}
	if err := fl.resolve(ctx); err != nil {
		return nil, err
	}
	fl.key = cloud.TimedName(keyPrefix, time.Now(), fl.tag)
	if err := client.CreateKeyPair(ctx, fl.key, base.SSHKey().AuthorizedKey); err != nil {
		return nil, platform.Infra("add the flight's key pair", fmt.Errorf("openstack: %w", err))
	}
	fl.group, err = client.CreateSSHGroup(ctx, cloud.TimedName(groupPrefix, time.Now(), fl.tag), "strata flight "+fl.tag+": SSH in")
	if err != nil {
		err = platform.Infra("make the flight's security group", fmt.Errorf("openstack: %w", err))
		return nil, errors.Join(err, fl.Destroy(ctx))
	}
	base.Logger().Info("openstack flight", "image", f.Image, "flavor", f.Flavor, "network", fl.network, "tag", fl.tag)
	return fl, nil
}

// resolve finds the image, flavor and networks the flags name; one not
// there is the user's error, naming the flag.
func (f *flight) resolve(ctx context.Context) error {
	fail := func(flag, value string, err error) error {
		err = fmt.Errorf("openstack: %s %q: %w", flag, value, err)
		if api.IsTerminal(err) {
			return platform.Usage(err)
		}
		return platform.Infra("check "+flag, err)
	}
	var err error
	if f.imageID, err = f.api.ImageID(ctx, f.flags.Image); err != nil {
		return fail("--os-image", f.flags.Image, err)
	}
	if f.flavorID, err = f.api.FlavorID(ctx, f.flags.Flavor); err != nil {
		return fail("--os-flavor", f.flags.Flavor, err)
	}
	if f.flags.Network != "" {
		n, err := f.api.FindNetwork(ctx, f.flags.Network)
		if err != nil {
			return fail("--os-network", f.flags.Network, err)
		}
		f.network = n.ID
	} else {
		nets, err := f.api.Networks(ctx)
		if err != nil {
			return platform.Infra("list networks", fmt.Errorf("openstack: %w", err))
		}
		var internal []string
		for _, n := range nets {
			if !n.External {
				internal = append(internal, n.Name)
				f.network = n.ID
			}
		}
		if len(internal) != 1 {
			return platform.Usagef("openstack: --os-network is needed: the project has %d networks that are not external %v", len(internal), internal)
		}
	}
	if f.flags.FloatingIPPool != "" {
		n, err := f.api.FindNetwork(ctx, f.flags.FloatingIPPool)
		if err != nil {
			return fail("--os-floating-ip-pool", f.flags.FloatingIPPool, err)
		}
		if !n.External {
			return platform.Usagef("openstack: --os-floating-ip-pool %q is not an external network", f.flags.FloatingIPPool)
		}
		f.pool = n.ID
	}
	return nil
}

// flightTag is a flight's path: its name, made safe, and a random part,
// since a killed run's resources may still be there.
func flightTag(flight string) string {
	return fmt.Sprintf("%s-%s", cloud.Slug(flight, 40), strings.ToLower(rand.Text()[:6]))
}

// Destroy destroys the clusters, then whatever else of the flight is
// there (a create cut short), its security group and key pair.
func (f *flight) Destroy(ctx context.Context) error {
	err := f.BaseFlight.Destroy(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if serr := sweep(ctx, f.api, f.tag+"/"); serr != nil {
		err = errors.Join(err, serr)
	}
	if f.group.ID != "" && f.keptAny.Load() {
		f.Logger().Info("openstack: the flight's security group stays with its kept machines (kola rm removes it with the last)", "group", f.group.ID)
	} else if f.group.ID != "" {
		if derr := f.api.DeleteSecurityGroup(ctx, f.group.ID); derr != nil {
			err = errors.Join(err, fmt.Errorf("openstack: %w", derr))
		}
	}
	if f.key != "" {
		if derr := f.api.DeleteKeyPair(ctx, f.key); derr != nil {
			err = errors.Join(err, fmt.Errorf("openstack: %w", derr))
		}
	}
	return err
}

func (f *flight) NewCluster(ctx context.Context, opts platform.ClusterOptions) (platform.Cluster, error) {
	// Cinder volumes per test are not built yet; a test that needs one
	// says so.
	if err := platform.RefuseAdditionalDisks("openstack", opts); err != nil {
		return nil, err
	}
	c := &cluster{BaseCluster: platform.NewBaseCluster(f.BaseFlight, opts), flight: f, path: f.tag + "/" + strings.ToLower(rand.Text()[:6])}
	f.Track(c)
	return c, nil
}

// deletePoll is how often a deleted server is read until it is gone.
var deletePoll = 2 * time.Second

// sweep deletes every server, floating IP and port whose path starts
// with prefix: servers first (and waits until they are gone), so that
// their ports are free. A kept server (KeptKey), its port and floating IP
// are passed by: RemoveKept deletes them.
func sweep(ctx context.Context, c *api.Client, prefix string) error {
	var errs []error
	servers, err := c.Servers(ctx)
	if err != nil {
		return fmt.Errorf("openstack: %w", err)
	}
	var deleted []string
	kept := map[string]bool{} // descriptions of kept servers' ports and floating IPs
	for _, s := range servers {
		if s.Metadata[KeptKey] != "" {
			kept[describedPrefix+s.Metadata[PathKey]] = true
			continue
		}
		if strings.HasPrefix(s.Metadata[PathKey], prefix) && s.Metadata[CreatedByKey] == CreatedBy {
			if err := c.DeleteServer(ctx, s.ID); err != nil {
				errs = append(errs, err)
				continue
			}
			deleted = append(deleted, s.ID)
		}
	}
	for _, id := range deleted {
		if err := c.WaitDeleted(ctx, id, deletePoll); err != nil {
			errs = append(errs, err)
		}
	}
	fips, err := c.FloatingIPs(ctx, "")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, f := range fips {
		if strings.HasPrefix(f.Description, describedPrefix+prefix) && !kept[f.Description] {
			if err := c.DeleteFloatingIP(ctx, f.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	ports, err := c.Ports(ctx, "")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, p := range ports {
		if strings.HasPrefix(p.Description, describedPrefix+prefix) && !kept[p.Description] {
			if err := c.DeletePort(ctx, p.ID); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("openstack: %w", err)
	}
	return nil
}
