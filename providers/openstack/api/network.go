package api

import (
	"context"
	"fmt"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/floatingips"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/groups"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/security/rules"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/strata-os/strata/core/cloud"
)

// Network is a Neutron network.
type Network struct {
	ID, Name string
	External bool
}

// Networks lists the networks the project sees.
func (c *Client) Networks(ctx context.Context) ([]Network, error) {
	// Not networks.Network: its UnmarshalJSON would be promoted and
	// drop router:external.
	var list []struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		External bool   `json:"router:external"`
	}
	pages, err := networks.List(c.network, networks.ListOpts{}).AllPages(ctx)
	if err != nil {
		return nil, wrap("list networks", err)
	}
	if err := networks.ExtractNetworksInto(pages, &list); err != nil {
		return nil, wrap("list networks", err)
	}
	out := make([]Network, 0, len(list))
	for _, n := range list {
		out = append(out, Network{ID: n.ID, Name: n.Name, External: n.External})
	}
	return out, nil
}

// FindNetwork finds a network by ID or name.
func (c *Client) FindNetwork(ctx context.Context, ref string) (Network, error) {
	list, err := c.Networks(ctx)
	if err != nil {
		return Network{}, err
	}
	var found []Network
	var names []string
	for _, n := range list {
		if n.ID == ref {
			return n, nil
		}
		if n.Name == ref {
			found = append(found, n)
		}
		names = append(names, n.Name)
	}
	switch len(found) {
	case 0:
		return Network{}, &Error{Op: "find network " + ref, Status: 404, Message: fmt.Sprintf("no network has that name or ID (there are %v)", names)}
	case 1:
		return found[0], nil
	}
	return Network{}, &Error{Op: "find network " + ref, Status: 409, Message: fmt.Sprintf("%d networks have that name: give an ID", len(found))}
}

// Port is what strata reads of a Neutron port.
type Port struct {
	ID, Name, Description string
	DeviceID, IP          string
	Created               time.Time
}

func port(p *ports.Port) Port {
	out := Port{ID: p.ID, Name: p.Name, Description: p.Description, DeviceID: p.DeviceID, Created: p.CreatedAt}
	if len(p.FixedIPs) > 0 {
		out.IP = p.FixedIPs[0].IPAddress
	}
	return out
}

// CreatePort makes a port on a network in a security group. Its
// description must be one no other port has: a create whose answer was
// lost is found by it.
func (c *Client) CreatePort(ctx context.Context, networkID, name, description, securityGroup string) (Port, error) {
	sgs := []string{securityGroup}
	return create(ctx, c, "create port "+name, func() (Port, error) {
		p, err := ports.Create(ctx, c.network, ports.CreateOpts{NetworkID: networkID, Name: name, Description: description, SecurityGroups: &sgs}).Extract()
		if err != nil {
			return Port{}, err
		}
		return port(p), nil
	}, func() (Port, bool, error) {
		found, err := c.Ports(ctx, description)
		if err != nil || len(found) == 0 {
			return Port{}, false, err
		}
		return found[0], true, nil
	})
}

// Ports lists the ports with a description (all when it is empty).
func (c *Client) Ports(ctx context.Context, description string) ([]Port, error) {
	list, err := all(ctx, "list ports", ports.List(c.network, ports.ListOpts{Description: description}), ports.ExtractPorts)
	if err != nil {
		return nil, err
	}
	out := make([]Port, 0, len(list))
	for i := range list {
		out = append(out, port(&list[i]))
	}
	return out, nil
}

// DeletePort deletes a port; one already gone is no error.
func (c *Client) DeletePort(ctx context.Context, id string) error {
	return gone(wrap("delete port "+id, ports.Delete(ctx, c.network, id).ExtractErr()))
}

// SecurityGroup is what strata reads of a Neutron security group.
type SecurityGroup struct {
	ID, Name, Description string
	Created               time.Time
}

// CreateSSHGroup makes a security group that lets SSH (and ICMP) in from
// anywhere, and traffic between its members. Its name must be one no
// other group has: a create whose answer was lost is found by it.
func (c *Client) CreateSSHGroup(ctx context.Context, name, description string) (SecurityGroup, error) {
	g, err := create(ctx, c, "create security group "+name, func() (SecurityGroup, error) {
		g, err := groups.Create(ctx, c.network, groups.CreateOpts{Name: name, Description: description}).Extract()
		if err != nil {
			return SecurityGroup{}, err
		}
		return SecurityGroup{ID: g.ID, Name: g.Name, Description: g.Description, Created: g.CreatedAt}, nil
	}, func() (SecurityGroup, bool, error) {
		found, err := c.SecurityGroups(ctx, name)
		if err != nil || len(found) == 0 {
			return SecurityGroup{}, false, err
		}
		return found[0], true, nil
	})
	if err != nil {
		return SecurityGroup{}, err
	}
	for _, r := range []rules.CreateOpts{
		{Direction: rules.DirIngress, EtherType: rules.EtherType4, Protocol: rules.ProtocolTCP, PortRangeMin: 22, PortRangeMax: 22, RemoteIPPrefix: "0.0.0.0/0", SecGroupID: g.ID},
		{Direction: rules.DirIngress, EtherType: rules.EtherType4, Protocol: rules.ProtocolICMP, RemoteIPPrefix: "0.0.0.0/0", SecGroupID: g.ID},
		{Direction: rules.DirIngress, EtherType: rules.EtherType4, RemoteGroupID: g.ID, SecGroupID: g.ID},
	} {
		// A rule made twice is refused as a duplicate (409), which is
		// as good as made.
		if _, err := rules.Create(ctx, c.network, r).Extract(); err != nil {
			if err = wrap("add a rule to security group "+name, err); cloud.HTTPStatus(err) != 409 {
				return g, err
			}
		}
	}
	return g, nil
}

// SecurityGroups lists the security groups with a name (all when it is
// empty).
func (c *Client) SecurityGroups(ctx context.Context, name string) ([]SecurityGroup, error) {
	list, err := all(ctx, "list security groups", groups.List(c.network, groups.ListOpts{Name: name}), groups.ExtractGroups)
	if err != nil {
		return nil, err
	}
	out := make([]SecurityGroup, 0, len(list))
	for _, g := range list {
		out = append(out, SecurityGroup{ID: g.ID, Name: g.Name, Description: g.Description, Created: g.CreatedAt})
	}
	return out, nil
}

// DeleteSecurityGroup deletes a security group; one already gone is no
// error.
func (c *Client) DeleteSecurityGroup(ctx context.Context, id string) error {
	return gone(wrap("delete security group "+id, groups.Delete(ctx, c.network, id).ExtractErr()))
}

// FloatingIP is what strata reads of a Neutron floating IP.
type FloatingIP struct {
	ID, Address, Description, PortID string
	Created                          time.Time
}

// CreateFloatingIP takes a floating IP from an external network for a
// port. Its description must be one no other floating IP has: a create
// whose answer was lost is found by it.
func (c *Client) CreateFloatingIP(ctx context.Context, networkID, portID, description string) (FloatingIP, error) {
	return create(ctx, c, "create floating IP for port "+portID, func() (FloatingIP, error) {
		f, err := floatingips.Create(ctx, c.network, floatingips.CreateOpts{FloatingNetworkID: networkID, PortID: portID, Description: description}).Extract()
		if err != nil {
			return FloatingIP{}, err
		}
		return FloatingIP{ID: f.ID, Address: f.FloatingIP, Description: f.Description, PortID: f.PortID, Created: f.CreatedAt}, nil
	}, func() (FloatingIP, bool, error) {
		found, err := c.FloatingIPs(ctx, description)
		if err != nil || len(found) == 0 {
			return FloatingIP{}, false, err
		}
		return found[0], true, nil
	})
}

// FloatingIPs lists the floating IPs with a description (all when it is
// empty).
func (c *Client) FloatingIPs(ctx context.Context, description string) ([]FloatingIP, error) {
	list, err := all(ctx, "list floating IPs", floatingips.List(c.network, floatingips.ListOpts{Description: description}), floatingips.ExtractFloatingIPs)
	if err != nil {
		return nil, err
	}
	out := make([]FloatingIP, 0, len(list))
	for _, f := range list {
		out = append(out, FloatingIP{ID: f.ID, Address: f.FloatingIP, Description: f.Description, PortID: f.PortID, Created: f.CreatedAt})
	}
	return out, nil
}

// DeleteFloatingIP gives a floating IP back; one already gone is no
// error.
func (c *Client) DeleteFloatingIP(ctx context.Context, id string) error {
	return gone(wrap("delete floating IP "+id, floatingips.Delete(ctx, c.network, id).ExtractErr()))
}
