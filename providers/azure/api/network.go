package api

import (
	"context"
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v9"
)

// Network is what a flight's machines share: a virtual network with one
// subnet, behind a network security group that lets SSH in.
type Network struct {
	SubnetID string
	NSGID    string
}

// CreateNetwork makes a network security group allowing SSH from
// anywhere and a virtual network (10.0.0.0/16) with one subnet
// (10.0.0.0/20) behind it, in group, and waits for both.
func (c *Client) CreateNetwork(ctx context.Context, group, name string, tags map[string]string) (*Network, error) {
	nsgName := name + "-nsg"
	nsgOp := fmt.Sprintf("create network security group %s", nsgName)
	p, err := c.nsgs.BeginCreateOrUpdate(ctx, group, nsgName, armnetwork.SecurityGroup{
		Location: to.Ptr(c.opts.Location), Tags: ptrMap(tags),
		Properties: &armnetwork.SecurityGroupPropertiesFormat{SecurityRules: []*armnetwork.SecurityRule{{
			Name: to.Ptr("ssh"),
			Properties: &armnetwork.SecurityRulePropertiesFormat{
				Protocol: to.Ptr(armnetwork.SecurityRuleProtocolTCP), Access: to.Ptr(armnetwork.SecurityRuleAccessAllow),
				Direction: to.Ptr(armnetwork.SecurityRuleDirectionInbound), Priority: to.Ptr[int32](1000),
				SourceAddressPrefix: to.Ptr("*"), SourcePortRange: to.Ptr("*"),
				DestinationAddressPrefix: to.Ptr("*"), DestinationPortRange: to.Ptr("22"),
			},
		}}},
	}, nil)
	if err != nil {
		return nil, wrap(nsgOp, err)
	}
	nsg, err := p.PollUntilDone(ctx, c.pollOptions())
	if err != nil {
		return nil, wrap(nsgOp, err)
	}
	vnetOp := fmt.Sprintf("create virtual network %s", name)
	vp, err := c.vnets.BeginCreateOrUpdate(ctx, group, name, armnetwork.VirtualNetwork{
		Location: to.Ptr(c.opts.Location), Tags: ptrMap(tags),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{
			AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{to.Ptr("10.0.0.0/16")}},
			Subnets: []*armnetwork.Subnet{{
				Name: to.Ptr("machines"),
				Properties: &armnetwork.SubnetPropertiesFormat{
					AddressPrefix: to.Ptr("10.0.0.0/20"), NetworkSecurityGroup: &armnetwork.SecurityGroup{ID: nsg.ID},
				},
			}},
		},
	}, nil)
	if err != nil {
		return nil, wrap(vnetOp, err)
	}
	vnet, err := vp.PollUntilDone(ctx, c.pollOptions())
	if err != nil {
		return nil, wrap(vnetOp, err)
	}
	if vnet.Properties == nil || len(vnet.Properties.Subnets) == 0 || vnet.Properties.Subnets[0].ID == nil {
		return nil, fmt.Errorf("%s: Azure answered a virtual network without its subnet", vnetOp)
	}
	return &Network{SubnetID: *vnet.Properties.Subnets[0].ID, NSGID: deref(nsg.ID)}, nil
}

// Interface is a machine's network interface and public address.
type Interface struct {
	ID, PublicIPID      string
	PublicIP, PrivateIP string
}

// CreateInterface makes a static public IP address and a network
// interface with it in subnet, both named after name, and waits for them.
// On failure what was made is deleted.
func (c *Client) CreateInterface(ctx context.Context, group, name, subnetID string, tags map[string]string) (_ *Interface, err error) {
	ipName, nicName := name+"-ip", name+"-nic"
	ipOp := fmt.Sprintf("create public IP address %s", ipName)
	pp, err := c.publicIPs.BeginCreateOrUpdate(ctx, group, ipName, armnetwork.PublicIPAddress{
		Location: to.Ptr(c.opts.Location), Tags: ptrMap(tags),
		SKU:        &armnetwork.PublicIPAddressSKU{Name: to.Ptr(armnetwork.PublicIPAddressSKUNameStandard)},
		Properties: &armnetwork.PublicIPAddressPropertiesFormat{PublicIPAllocationMethod: to.Ptr(armnetwork.IPAllocationMethodStatic)},
	}, nil)
	if err != nil {
		return nil, wrap(ipOp, err)
	}
	ip, err := pp.PollUntilDone(ctx, c.pollOptions())
	if err != nil {
		return nil, wrap(ipOp, err)
	}
	nicOp := fmt.Sprintf("create network interface %s", nicName)
	np, err := c.nics.BeginCreateOrUpdate(ctx, group, nicName, armnetwork.Interface{
		Location: to.Ptr(c.opts.Location), Tags: ptrMap(tags),
		Properties: &armnetwork.InterfacePropertiesFormat{IPConfigurations: []*armnetwork.InterfaceIPConfiguration{{
			Name: to.Ptr("primary"),
			Properties: &armnetwork.InterfaceIPConfigurationPropertiesFormat{
				Subnet: &armnetwork.Subnet{ID: to.Ptr(subnetID)}, PublicIPAddress: &armnetwork.PublicIPAddress{ID: ip.ID},
				PrivateIPAllocationMethod: to.Ptr(armnetwork.IPAllocationMethodDynamic),
			},
		}}},
	}, nil)
	if err != nil {
		return nil, wrap(nicOp, err)
	}
	nic, err := np.PollUntilDone(ctx, c.pollOptions())
	if err != nil {
		return nil, wrap(nicOp, err)
	}
	out := &Interface{ID: deref(nic.ID), PublicIPID: deref(ip.ID)}
	if ip.Properties != nil {
		out.PublicIP = deref(ip.Properties.IPAddress)
	}
	if nic.Properties != nil && len(nic.Properties.IPConfigurations) > 0 && nic.Properties.IPConfigurations[0].Properties != nil {
		out.PrivateIP = deref(nic.Properties.IPConfigurations[0].Properties.PrivateIPAddress)
	}
	if out.PublicIP == "" || out.PrivateIP == "" {
		return nil, fmt.Errorf("%s: Azure answered no addresses (public %q, private %q)", nicOp, out.PublicIP, out.PrivateIP)
	}
	return out, nil
}

// DeleteInterface deletes a machine's network interface, then its public
// IP address (which the interface holds until it is gone), and waits.
// What is not there is no error.
func (c *Client) DeleteInterface(ctx context.Context, group, name string) error {
	nicName, ipName := name+"-nic", name+"-ip"
	p, err := c.nics.BeginDelete(ctx, group, nicName, nil)
	if err := deleted(ctx, c, "delete network interface "+nicName, p, err); err != nil {
		return err
	}
	pip, err := c.publicIPs.BeginDelete(ctx, group, ipName, nil)
	return deleted(ctx, c, "delete public IP address "+ipName, pip, err)
}
