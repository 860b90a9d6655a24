package api

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// VPC is a VPC and its tags.
type VPC struct {
	ID   string
	Tags map[string]string
}

// VPCs lists the VPCs carrying every given tag.
func (c *Client) VPCs(ctx context.Context, tags map[string]string) ([]VPC, error) {
	cctx, cancel := c.call(ctx)
	defer cancel()
	out, err := c.ec2.DescribeVpcs(cctx, &ec2.DescribeVpcsInput{Filters: tagFilters(tags)})
	if err != nil {
		return nil, classify("list vpcs", "vpc", "", err)
	}
	var vpcs []VPC
	for _, v := range out.Vpcs {
		vpcs = append(vpcs, VPC{ID: aws.ToString(v.VpcId), Tags: tagMap(v.Tags)})
	}
	return vpcs, nil
}

// DeleteNetwork takes apart a network CreateNetwork made — its security
// groups, route tables, internet gateway, subnets, then the VPC — unless
// an instance still runs in it. What is already gone is skipped, so an
// interrupted deletion can be run again.
func (c *Client) DeleteNetwork(ctx context.Context, vpcID string) error {
	vpc := []types.Filter{{Name: aws.String("vpc-id"), Values: []string{vpcID}}}
	do := func(op string, f func(context.Context) error) error {
		cctx, cancel := c.call(ctx)
		defer cancel()
		if err := classify(fmt.Sprintf("delete network %s: %s", vpcID, op), "resource", vpcID, f(cctx)); err != nil && !IsNotFound(err) {
			return err
		}
		return nil
	}
	var instances []string
	if err := do("list instances", func(ctx context.Context) error {
		out, err := c.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: append(vpc, types.Filter{
			Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "shutting-down", "stopping", "stopped"}})})
		if err == nil {
			for _, r := range out.Reservations {
				for _, in := range r.Instances {
					instances = append(instances, aws.ToString(in.InstanceId))
				}
			}
		}
		return err
	}); err != nil {
		return err
	}
	if len(instances) > 0 {
		return fmt.Errorf("delete network %s: still used by instances %v", vpcID, instances)
	}
	// step is one call of the deletion, named for its error.
	type step struct {
		op string
		f  func(context.Context) error
	}
	var groups, tables, assocs, gateways, subnets []string
	steps := []step{
		{"list security groups", func(ctx context.Context) error {
			out, err := c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: vpc})
			if err == nil {
				for _, g := range out.SecurityGroups {
					if aws.ToString(g.GroupName) != "default" { // goes with the VPC
						groups = append(groups, aws.ToString(g.GroupId))
					}
				}
			}
			return err
		}},
		{"list route tables", func(ctx context.Context) error {
			out, err := c.ec2.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: vpc})
			if err == nil {
				for _, rt := range out.RouteTables {
					main := false
					for _, a := range rt.Associations {
						if aws.ToBool(a.Main) {
							main = true
						} else {
							assocs = append(assocs, aws.ToString(a.RouteTableAssociationId))
						}
					}
					if !main { // the main table goes with the VPC
						tables = append(tables, aws.ToString(rt.RouteTableId))
					}
				}
			}
			return err
		}},
		{"list internet gateways", func(ctx context.Context) error {
			out, err := c.ec2.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{
				Filters: []types.Filter{{Name: aws.String("attachment.vpc-id"), Values: []string{vpcID}}}})
			if err == nil {
				for _, g := range out.InternetGateways {
					gateways = append(gateways, aws.ToString(g.InternetGatewayId))
				}
			}
			return err
		}},
		{"list subnets", func(ctx context.Context) error {
			out, err := c.ec2.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: vpc})
			if err == nil {
				for _, s := range out.Subnets {
					subnets = append(subnets, aws.ToString(s.SubnetId))
				}
			}
			return err
		}},
	}
	for _, s := range steps {
		if err := do(s.op, s.f); err != nil {
			return err
		}
	}
	var deletes []step
	add := func(op string, f func(context.Context) error) { deletes = append(deletes, step{op, f}) }
	for _, id := range groups {
		add("security group "+id, func(ctx context.Context) error {
			_, err := c.ec2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
			return err
		})
	}
	for _, id := range assocs {
		add("route table association "+id, func(ctx context.Context) error {
			_, err := c.ec2.DisassociateRouteTable(ctx, &ec2.DisassociateRouteTableInput{AssociationId: aws.String(id)})
			return err
		})
	}
	for _, id := range tables {
		add("route table "+id, func(ctx context.Context) error {
			_, err := c.ec2.DeleteRouteTable(ctx, &ec2.DeleteRouteTableInput{RouteTableId: aws.String(id)})
			return err
		})
	}
	for _, id := range gateways {
		add("internet gateway "+id, func(ctx context.Context) error {
			if _, err := c.ec2.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: aws.String(id), VpcId: aws.String(vpcID)}); err != nil {
				return err
			}
			_, err := c.ec2.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: aws.String(id)})
			return err
		})
	}
	for _, id := range subnets {
		add("subnet "+id, func(ctx context.Context) error {
			_, err := c.ec2.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: aws.String(id)})
			return err
		})
	}
	add("vpc", func(ctx context.Context) error {
		_, err := c.ec2.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(vpcID)})
		return err
	})
	for _, d := range deletes {
		if err := do(d.op, d.f); err != nil {
			return err
		}
	}
	return nil
}
