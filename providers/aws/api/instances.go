package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// InstanceSpec is one instance to launch.
type InstanceSpec struct {
	// ClientToken makes the launch idempotent: launching the same token
	// again returns the first instance instead of a second one.
	ClientToken                    string
	ImageID, InstanceType, KeyName string
	SecurityGroupID, SubnetID      string
	UserData                       []byte
	Tags                           map[string]string
	// IMDSv2Required refuses metadata requests without a session token.
	IMDSv2Required bool
}

// Instance is what strata needs of an EC2 instance.
type Instance struct {
	ID, State, ImageID, Type, Zone string
	PublicIP, PrivateIP            string
	LaunchTime                     time.Time
	Tags                           map[string]string
	// Simulated is true for instances of strata's EC2 simulator, which
	// never boot.
	Simulated bool
}

const simulatedMarker = "strata simulator"

func fromSDK(in types.Instance) *Instance {
	out := &Instance{
		ID: aws.ToString(in.InstanceId), ImageID: aws.ToString(in.ImageId), Type: string(in.InstanceType),
		PublicIP: aws.ToString(in.PublicIpAddress), PrivateIP: aws.ToString(in.PrivateIpAddress),
		LaunchTime: aws.ToTime(in.LaunchTime), Tags: map[string]string{},
		Simulated: strings.Contains(aws.ToString(in.PlatformDetails), simulatedMarker),
	}
	if in.State != nil {
		out.State = string(in.State.Name)
	}
	if in.Placement != nil {
		out.Zone = aws.ToString(in.Placement.AvailabilityZone)
	}
	out.Tags = tagMap(in.Tags)
	return out
}

// tagMap is the SDK's tag list as a map.
func tagMap(tags []types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func sdkTags(tags map[string]string) []types.Tag {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]types.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// tagFilters selects resources carrying every given tag.
func tagFilters(tags map[string]string) []types.Filter {
	var filters []types.Filter
	for _, t := range sdkTags(tags) {
		filters = append(filters, types.Filter{Name: aws.String("tag:" + *t.Key), Values: []string{*t.Value}})
	}
	return filters
}

// RunInstance launches one instance.
func (c *Client) RunInstance(ctx context.Context, spec InstanceSpec) (*Instance, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	in := &ec2.RunInstancesInput{
		ImageId: aws.String(spec.ImageID), InstanceType: types.InstanceType(spec.InstanceType),
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: sdkTags(spec.Tags)}},
	}
	if spec.ClientToken != "" {
		in.ClientToken = aws.String(spec.ClientToken)
	}
	if spec.KeyName != "" {
		in.KeyName = aws.String(spec.KeyName)
	}
	if spec.SecurityGroupID != "" {
		in.SecurityGroupIds = []string{spec.SecurityGroupID}
	}
	if spec.SubnetID != "" {
		in.SubnetId = aws.String(spec.SubnetID)
	}
	if spec.IMDSv2Required {
		in.MetadataOptions = &types.InstanceMetadataOptionsRequest{HttpTokens: types.HttpTokensStateRequired}
	}
	if len(spec.UserData) > 0 {
		in.UserData = aws.String(base64.StdEncoding.EncodeToString(spec.UserData))
	}
	out, err := c.ec2.RunInstances(ctx, in)
	if err != nil {
		return nil, classify("run instance of "+spec.ImageID, "image", spec.ImageID, err)
	}
	if len(out.Instances) != 1 {
		return nil, fmt.Errorf("run instance of %s: EC2 returned %d instances", spec.ImageID, len(out.Instances))
	}
	return fromSDK(out.Instances[0]), nil
}

// Instance describes one instance; a *NotFoundError if there is none.
func (c *Client) Instance(ctx context.Context, id string) (*Instance, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	out, err := c.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return nil, classify("describe instance "+id, "instance", id, err)
	}
	for _, r := range out.Reservations {
		for _, in := range r.Instances {
			if aws.ToString(in.InstanceId) == id {
				return fromSDK(in), nil
			}
		}
	}
	return nil, &NotFoundError{Kind: "instance", ID: id}
}

// WaitRunning polls an instance until it runs; an instance that stops or
// terminates instead is an error saying so. Not found is polled through:
// EC2 is eventually consistent, and a new instance may not be listed yet.
func (c *Client) WaitRunning(ctx context.Context, id string, poll time.Duration) (*Instance, error) {
	for {
		in, err := c.Instance(ctx, id)
		if err != nil && !IsTerminal(err) && ctx.Err() == nil {
			// Trouble that passes: try again at the next poll.
			c.log.Debug("describe instance", "instance", id, "err", err)
		} else if err != nil {
			return nil, err
		} else {
			switch in.State {
			case "running":
				return in, nil
			case "pending":
			default:
				return nil, &TerminalError{Op: "wait for instance " + id, Code: in.State, Err: fmt.Errorf("instance is %s, not running", in.State)}
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for instance %s to run: %w", id, context.Cause(ctx))
		case <-time.After(poll):
		}
	}
}

// WatchRunning polls a running instance until it leaves the running
// state (stopped by its guest powering off, terminated by someone) and
// says so; nil when ctx ends first. Trouble describing it is polled
// through.
func (c *Client) WatchRunning(ctx context.Context, id string, poll time.Duration) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
		in, err := c.Instance(ctx, id)
		switch {
		case ctx.Err() != nil:
			return nil
		case IsNotFound(err):
			return fmt.Errorf("instance %s is gone", id)
		case err != nil:
			c.log.Debug("describe instance", "instance", id, "err", err)
		case in.State != "running" && in.State != "pending":
			return fmt.Errorf("instance %s is %s (a guest that powers off stops: see its console)", id, in.State)
		}
	}
}

// Terminate asks for an instance to go and reports whether it is gone
// (terminated, or unknown to EC2). Deletion takes a while: call again
// until done.
func (c *Client) Terminate(ctx context.Context, id string) (done bool, err error) {
	in, err := c.Instance(ctx, id)
	switch {
	case IsNotFound(err):
		return true, nil
	case err != nil:
		return false, err
	case in.State == "terminated":
		return true, nil
	case in.State == "shutting-down":
		return false, nil
	}
	cctx, cancel := c.call(ctx)
	defer cancel()
	if _, err := c.ec2.TerminateInstances(cctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		err = classify("terminate instance "+id, "instance", id, err)
		if IsNotFound(err) {
			return true, nil
		}
		return false, err
	}
	return false, nil
}

// ConsoleOutput is the instance's serial console as EC2 keeps it: the
// last 64 KiB of its boots.
func (c *Client) ConsoleOutput(ctx context.Context, id string) ([]byte, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	out, err := c.ec2.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(id), Latest: nil})
	if err != nil {
		return nil, classify("console of instance "+id, "instance", id, err)
	}
	if out.Output == nil {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(*out.Output)
	if err != nil {
		return nil, fmt.Errorf("console of instance %s: %w", id, err)
	}
	return b, nil
}

// Instances lists the instances carrying every given tag, all pages.
func (c *Client) Instances(ctx context.Context, tags map[string]string) ([]*Instance, error) {
	// EC2's largest page: a leaked account holds thousands.
	in := &ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000)}
	in.Filters = tagFilters(tags)
	var out []*Instance
	p := ec2.NewDescribeInstancesPaginator(c.ec2, in)
	for p.HasMorePages() {
		cctx, cancel := c.call(ctx)
		page, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			return nil, classify("list instances", "instance", "", err)
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				out = append(out, fromSDK(i))
			}
		}
	}
	return out, nil
}
