package api

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Network is where machines go: a security group and a subnet of its VPC
// (empty for the default VPC's default subnets).
type Network struct {
	SecurityGroupID, VpcID, SubnetID string
}

// FindNetwork finds the security group called name and a subnet of its
// VPC; a *NotFoundError if there is no such group.
func (c *Client) FindNetwork(ctx context.Context, name string) (*Network, error) {
	cctx, cancel := c.call(ctx)
	defer cancel()
	out, err := c.ec2.DescribeSecurityGroups(cctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []types.Filter{{Name: aws.String("group-name"), Values: []string{name}}},
	})
	if err != nil {
		return nil, classify("find security group "+name, "security group", name, err)
	}
	if len(out.SecurityGroups) == 0 {
		return nil, &NotFoundError{Kind: "security group", ID: name}
	}
	g := out.SecurityGroups[0]
	n := &Network{SecurityGroupID: aws.ToString(g.GroupId), VpcID: aws.ToString(g.VpcId)}
	if n.VpcID == "" {
		return n, nil
	}
	sctx, cancel2 := c.call(ctx)
	defer cancel2()
	subnets, err := c.ec2.DescribeSubnets(sctx, &ec2.DescribeSubnetsInput{
		Filters: []types.Filter{{Name: aws.String("vpc-id"), Values: []string{n.VpcID}}},
	})
	if err != nil {
		return nil, classify("find subnets of "+n.VpcID, "vpc", n.VpcID, err)
	}
	for _, s := range subnets.Subnets {
		if aws.ToBool(s.MapPublicIpOnLaunch) || n.SubnetID == "" {
			n.SubnetID = aws.ToString(s.SubnetId)
		}
	}
	return n, nil
}

// CreateNetwork makes what a missing security group needs to be useful:
// a VPC with an internet gateway, a route table sending 0.0.0.0/0 to it, a
// subnet giving machines public addresses, and the group itself, letting
// SSH in from anywhere and anything in from the group's own members.
// Everything is tagged Name=name and with tags, so if a step fails, what
// was made is found by GC.
func (c *Client) CreateNetwork(ctx context.Context, name string, tags map[string]string) (*Network, error) {
	all := map[string]string{"Name": name}
	for k, v := range tags {
		all[k] = v
	}
	spec := func(rt types.ResourceType) []types.TagSpecification {
		return []types.TagSpecification{{ResourceType: rt, Tags: sdkTags(all)}}
	}
	step := func(what string, f func(context.Context) error) error {
		cctx, cancel := c.call(ctx)
		defer cancel()
		if err := f(cctx); err != nil {
			return classify(fmt.Sprintf("create network %s: %s", name, what), what, "", err)
		}
		return nil
	}
	n := &Network{}
	var igw, rtb string
	steps := []struct {
		what string
		f    func(context.Context) error
	}{
		{"vpc", func(ctx context.Context) error {
			out, err := c.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("172.31.0.0/16"), TagSpecifications: spec(types.ResourceTypeVpc)})
			if err == nil {
				n.VpcID = aws.ToString(out.Vpc.VpcId)
			}
			return err
		}},
		{"internet gateway", func(ctx context.Context) error {
			out, err := c.ec2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{TagSpecifications: spec(types.ResourceTypeInternetGateway)})
			if err == nil {
				igw = aws.ToString(out.InternetGateway.InternetGatewayId)
			}
			return err
		}},
		{"gateway attachment", func(ctx context.Context) error {
			_, err := c.ec2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(igw), VpcId: aws.String(n.VpcID)})
			return err
		}},
		{"route table", func(ctx context.Context) error {
			out, err := c.ec2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(n.VpcID), TagSpecifications: spec(types.ResourceTypeRouteTable)})
			if err == nil {
				rtb = aws.ToString(out.RouteTable.RouteTableId)
			}
			return err
		}},
		{"default route", func(ctx context.Context) error {
			_, err := c.ec2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(rtb), DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: aws.String(igw)})
			return err
		}},
		{"subnet", func(ctx context.Context) error {
			out, err := c.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(n.VpcID), CidrBlock: aws.String("172.31.0.0/20"), TagSpecifications: spec(types.ResourceTypeSubnet)})
			if err == nil {
				n.SubnetID = aws.ToString(out.Subnet.SubnetId)
			}
			return err
		}},
		{"public addresses", func(ctx context.Context) error {
			_, err := c.ec2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(n.SubnetID), MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}})
			return err
		}},
		{"route table association", func(ctx context.Context) error {
			_, err := c.ec2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(rtb), SubnetId: aws.String(n.SubnetID)})
			return err
		}},
		{"security group", func(ctx context.Context) error {
			out, err := c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
				GroupName: aws.String(name), Description: aws.String("strata test machines"), VpcId: aws.String(n.VpcID),
				TagSpecifications: spec(types.ResourceTypeSecurityGroup),
			})
			if err == nil {
				n.SecurityGroupID = aws.ToString(out.GroupId)
			}
			return err
		}},
		{"security group rules", func(ctx context.Context) error {
			_, err := c.ec2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
				GroupId: aws.String(n.SecurityGroupID),
				IpPermissions: []types.IpPermission{
					{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}},
					{IpProtocol: aws.String("-1"), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(n.SecurityGroupID)}}},
				},
			})
			return err
		}},
	}
	for _, s := range steps {
		if err := step(s.what, s.f); err != nil {
			return nil, err
		}
	}
	return n, nil
}
