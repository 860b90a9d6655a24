package api

import (
	"context"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/keypairs"
	"github.com/gophercloud/gophercloud/v2/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

// UserDataMax is Nova's limit on user data, before base64.
const UserDataMax = 65535 / 4 * 3

// ServerSpec is a server to make.
type ServerSpec struct {
	Name, ImageID, FlavorID, KeyName string
	UserData                         []byte
	ConfigDrive                      bool
	// Metadata marks the server; Own must be a key of it whose value no
	// other server has, by which a create whose answer was lost is found.
	Metadata map[string]string
	Own      string
	PortID   string
}

// Server is what strata reads of a Nova server.
type Server struct {
	ID, Name, Status string
	Created          time.Time
	Metadata         map[string]string
	// Fixed and Floating are its IPv4 addresses, the first of each kind.
	Fixed, Floating string
	Fault           string
	// Simulated says strata's simulator made it: it runs but never boots.
	Simulated bool
}

func server(s *servers.Server) Server {
	out := Server{ID: s.ID, Name: s.Name, Status: s.Status, Created: s.Created, Metadata: s.Metadata, Fault: s.Fault.Message}
	for _, addrs := range s.Addresses {
		list, _ := addrs.([]any)
		for _, a := range list {
			m, _ := a.(map[string]any)
			addr, _ := m["addr"].(string)
			kind, _ := m["OS-EXT-IPS:type"].(string)
			if v, _ := m["version"].(float64); v != 4 && fmt.Sprint(m["version"]) != "4" {
				continue
			}
			switch {
			case kind == "floating" && out.Floating == "":
				out.Floating = addr
			case kind != "floating" && out.Fixed == "":
				out.Fixed = addr
			}
		}
	}
	return out
}

// CreateServer makes a server on the spec's port. A create whose answer
// is lost is found by the Own metadata key, not made twice.
func (c *Client) CreateServer(ctx context.Context, spec ServerSpec) (Server, error) {
	if spec.Own == "" || spec.Metadata[spec.Own] == "" {
		return Server{}, fmt.Errorf("create server %s: no metadata of its own to find it by", spec.Name)
	}
	yes := spec.ConfigDrive
	opts := keypairs.CreateOptsExt{CreateOptsBuilder: servers.CreateOpts{
		Name: spec.Name, ImageRef: spec.ImageID, FlavorRef: spec.FlavorID, UserData: spec.UserData, Metadata: spec.Metadata,
		Networks: []servers.Network{{Port: spec.PortID}}, ConfigDrive: &yes,
	}, KeyName: spec.KeyName}
	op := "create server " + spec.Name
	return create(ctx, c, op, func() (Server, error) {
		s, err := servers.Create(ctx, c.compute, opts, nil).Extract()
		if err != nil {
			return Server{}, err
		}
		return Server{ID: s.ID, Name: spec.Name, Status: "BUILD", Metadata: spec.Metadata}, nil
	}, func() (Server, bool, error) {
		found, err := c.ServersWith(ctx, spec.Own, spec.Metadata[spec.Own])
		if err != nil || len(found) == 0 {
			return Server{}, false, err
		}
		return found[0], true, nil
	})
}

// Server reads a server.
func (c *Client) Server(ctx context.Context, id string) (Server, error) {
	r := servers.Get(ctx, c.compute, id)
	s, err := r.Extract()
	if err != nil {
		return Server{}, wrap("read server "+id, err)
	}
	var sim struct {
		Simulated bool `json:"strata:simulated"`
	}
	r.ExtractInto(&sim) // the "server" object
	out := server(s)
	out.Simulated = sim.Simulated
	return out, nil
}

// Servers lists the project's servers.
func (c *Client) Servers(ctx context.Context) ([]Server, error) {
	list, err := all(ctx, "list servers", servers.List(c.compute, servers.ListOpts{Limit: 1000}), servers.ExtractServers)
	if err != nil {
		return nil, err
	}
	out := make([]Server, 0, len(list))
	for i := range list {
		out = append(out, server(&list[i]))
	}
	return out, nil
}

// ServersWith lists the servers whose metadata has key = value.
func (c *Client) ServersWith(ctx context.Context, key, value string) ([]Server, error) {
	list, err := c.Servers(ctx)
	if err != nil {
		return nil, err
	}
	var out []Server
	for _, s := range list {
		if s.Metadata[key] == value {
			out = append(out, s)
		}
	}
	return out, nil
}

// SetServerMetadata sets one metadata key of a server.
func (c *Client) SetServerMetadata(ctx context.Context, id, key, value string) error {
	_, err := servers.CreateMetadatum(ctx, c.compute, id, servers.MetadatumOpts{key: value}).Extract()
	return wrap(fmt.Sprintf("set metadata %s of server %s", key, id), err)
}

// DeleteServer deletes a server; one already gone is no error.
func (c *Client) DeleteServer(ctx context.Context, id string) error {
	return gone(wrap("delete server "+id, servers.Delete(ctx, c.compute, id).ExtractErr()))
}

// WaitDeleted waits until a server is gone, so that its ports are free.
func (c *Client) WaitDeleted(ctx context.Context, id string, poll time.Duration) error {
	for {
		_, err := c.Server(ctx, id)
		switch {
		case IsNotFound(err):
			return nil
		case err != nil:
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server %s still there: %w", id, context.Cause(ctx))
		case <-time.After(poll):
		}
	}
}

// ConsoleOutput reads a server's console log.
func (c *Client) ConsoleOutput(ctx context.Context, id string) (string, error) {
	out, err := servers.ShowConsoleOutput(ctx, c.compute, id, servers.ShowConsoleOutputOpts{}).Extract()
	if err != nil {
		return "", wrap("console log of server "+id, err)
	}
	return out, nil
}

// FlavorID finds a flavor by ID or name.
func (c *Client) FlavorID(ctx context.Context, ref string) (string, error) {
	list, err := all(ctx, "list flavors", flavors.ListDetail(c.compute, flavors.ListOpts{AccessType: flavors.AllAccess}), flavors.ExtractFlavors)
	if err != nil {
		return "", err
	}
	var names []string
	for _, f := range list {
		if f.ID == ref || f.Name == ref {
			return f.ID, nil
		}
		names = append(names, f.Name)
	}
	return "", &Error{Op: "find flavor " + ref, Status: 404, Message: fmt.Sprintf("no flavor has that name or ID (there are %v)", names)}
}

// KeyPair is a Nova key pair.
type KeyPair struct{ Name, PublicKey string }

// CreateKeyPair adds a public key as a key pair. A create whose answer
// was lost is found by its name (and key).
func (c *Client) CreateKeyPair(ctx context.Context, name, publicKey string) error {
	_, err := create(ctx, c, "create key pair "+name, func() (struct{}, error) {
		_, err := keypairs.Create(ctx, c.compute, keypairs.CreateOpts{Name: name, PublicKey: publicKey}).Extract()
		return struct{}{}, err
	}, func() (struct{}, bool, error) {
		k, err := keypairs.Get(ctx, c.compute, name, nil).Extract()
		if err != nil {
			return struct{}{}, false, gone(wrap("read key pair "+name, err))
		}
		return struct{}{}, k.PublicKey == publicKey, nil
	})
	return err
}

// KeyPairs lists the user's key pairs.
func (c *Client) KeyPairs(ctx context.Context) ([]KeyPair, error) {
	list, err := all(ctx, "list key pairs", keypairs.List(c.compute, nil), func(p pagination.Page) ([]keypairs.KeyPair, error) {
		return keypairs.ExtractKeyPairs(p)
	})
	if err != nil {
		return nil, err
	}
	out := make([]KeyPair, 0, len(list))
	for _, k := range list {
		out = append(out, KeyPair{Name: k.Name, PublicKey: k.PublicKey})
	}
	return out, nil
}

// DeleteKeyPair deletes a key pair; one already gone is no error.
func (c *Client) DeleteKeyPair(ctx context.Context, name string) error {
	return gone(wrap("delete key pair "+name, keypairs.Delete(ctx, c.compute, name, nil).ExtractErr()))
}
