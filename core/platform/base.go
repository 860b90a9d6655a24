package platform

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/sshclient"
)

// BaseFlight is the part of a Flight every provider shares: the name, the
// SSH key pair and the clusters to destroy. Providers embed it.
type BaseFlight struct {
	name     string
	platform string
	key      *sshclient.KeyPair
	log      *slog.Logger
	dialer   sshclient.ContextDialer

	mu       sync.Mutex
	clusters []Cluster
}

// NewBaseFlight generates the flight's ed25519 key.
func NewBaseFlight(platform string, opts FlightOptions) (*BaseFlight, error) {
	key, err := sshclient.GenerateKey("strata-" + opts.Name)
	if err != nil {
		return nil, fmt.Errorf("flight %s: %w", opts.Name, err)
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	f := &BaseFlight{name: opts.Name, platform: platform, key: key, log: log.With("platform", platform, "flight", opts.Name)}
	if opts.SSHProxy != "" {
		if f.dialer, err = sshclient.ProxyDialer(opts.SSHProxy); err != nil {
			return nil, Usage(err)
		}
	}
	return f, nil
}

// SSHDialer is how the flight's cloud machines are dialled: through
// FlightOptions.SSHProxy, or nil for directly.
func (f *BaseFlight) SSHDialer() sshclient.ContextDialer { return f.dialer }

func (f *BaseFlight) Name() string               { return f.name }
func (f *BaseFlight) Platform() string           { return f.platform }
func (f *BaseFlight) SSHKey() *sshclient.KeyPair { return f.key }
func (f *BaseFlight) Logger() *slog.Logger       { return f.log }

// Track records a cluster so that Destroy can reach it.
func (f *BaseFlight) Track(c Cluster) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.clusters = append(f.clusters, c)
}

// Destroy destroys every tracked cluster, all of them even when some fail.
func (f *BaseFlight) Destroy(ctx context.Context) error {
	f.mu.Lock()
	clusters := f.clusters
	f.clusters = nil
	f.mu.Unlock()
	var errs []error
	for _, c := range clusters {
		if err := c.Destroy(ctx); err != nil {
			errs = append(errs, fmt.Errorf("destroy cluster %s: %w", c.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// BaseCluster is the part of a Cluster every provider shares. Providers
// embed it and implement NewMachine with its helpers.
type BaseCluster struct {
	Flight *BaseFlight
	Opts   ClusterOptions

	mu       sync.Mutex
	machines []Machine
	made     int
}

// NewBaseCluster starts a cluster's bookkeeping.
func NewBaseCluster(f *BaseFlight, opts ClusterOptions) *BaseCluster {
	return &BaseCluster{Flight: f, Opts: opts}
}

func (c *BaseCluster) Name() string     { return c.Opts.Name }
func (c *BaseCluster) Platform() string { return c.Flight.platform }

// NextIndex numbers the machines a cluster asks for, from 1, so their
// names are distinct and stable; a failed creation keeps its number.
func (c *BaseCluster) NextIndex() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.made++
	return c.made
}

// AddMachine records a machine that Destroy must destroy.
func (c *BaseCluster) AddMachine(m Machine) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.machines = append(c.machines, m)
}

// Machines returns the cluster's machines in creation order.
func (c *BaseCluster) Machines() []Machine {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Machine(nil), c.machines...)
}

// Destroy destroys every machine in parallel and reports every failure.
// Release takes m out of the cluster: its Destroy no longer destroys it
// (a machine kept, see Keeper).
func (c *BaseCluster) Release(m Machine) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, have := range c.machines {
		if have == m {
			c.machines = append(c.machines[:i], c.machines[i+1:]...)
			return
		}
	}
}

func (c *BaseCluster) Destroy(ctx context.Context) error {
	c.mu.Lock()
	ms := c.machines
	c.machines = nil
	c.mu.Unlock()
	errs := make([]error, len(ms))
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := m.Destroy(ctx); err != nil {
				errs[i] = fmt.Errorf("destroy machine %s: %w", m.ID(), err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// UserDataOptions are the platform's side of rendering userdata.
type UserDataOptions struct {
	// User receives the SSH key ("core" when empty).
	User string
	// EmptyAs is the kind an empty userdata becomes to carry the key; see
	// conf.RenderOptions.
	EmptyAs conf.Kind
	// Vars are substituted ($public_ipv4, $private_ipv4).
	Vars map[string]string
}

// RenderUserData adds the flight's key (unless the test said
// NoSSHKeyInUserData) and the platform's variables to ud.
func (c *BaseCluster) RenderUserData(ud *conf.UserData, opts UserDataOptions) (conf.Rendered, error) {
	ro := conf.RenderOptions{User: opts.User, EmptyAs: opts.EmptyAs, Vars: opts.Vars}
	if !c.Opts.NoSSHKeyInUserData {
		ro.SSHKeys = []string{c.Flight.key.AuthorizedKey}
	}
	r, err := ud.Render(ro)
	if err != nil {
		return conf.Rendered{}, fmt.Errorf("userdata for cluster %s: %w", c.Opts.Name, err)
	}
	return r, nil
}

// MetadataSSHKeys returns the keys to put in the platform's metadata, none
// if the test said NoSSHKeyInMetadata.
func (c *BaseCluster) MetadataSSHKeys() []string {
	if c.Opts.NoSSHKeyInMetadata {
		return nil
	}
	return []string{c.Flight.key.AuthorizedKey}
}

// MachineDir creates and returns the artifact directory of machine id.
func (c *BaseCluster) MachineDir(id string) (string, error) {
	if c.Opts.OutputDir == "" {
		return "", nil
	}
	dir := filepath.Join(c.Opts.OutputDir, id)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("machine %s artifacts: %w", id, err)
	}
	return dir, nil
}

// SaveUserData writes the userdata as sent to the machine's directory.
func (c *BaseCluster) SaveUserData(id string, r conf.Rendered) error {
	dir, err := c.MachineDir(id)
	if err != nil || dir == "" {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "userdata"), r.Data, 0o644)
}
