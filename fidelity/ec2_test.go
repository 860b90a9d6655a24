package fidelity

import (
	"context"
	"encoding/base64"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/ec2"
	"github.com/strata-os/strata/providers/aws/sim"
)

// ec2Client is version 1 of the AWS SDK for Go — a separate
// implementation of EC2's query protocol from the v2 SDK the provider
// uses (end of support, so frozen: a fixed second reading of the wire
// format).
func ec2Client(t *testing.T, s *sim.Server) *ec2.EC2 {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	sess, err := session.NewSession(&aws.Config{
		Region: aws.String("us-east-1"), Endpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentials("AKIDEXAMPLE", "secret", ""), MaxRetries: aws.Int(3),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ec2.New(sess)
}

// An instance's life through the v1 SDK: a key pair imported, an
// instance run with tags and userdata and waited for with the SDK's own
// waiter, described by tag filter, its console read, terminated and
// waited for; a missing instance is EC2's not-found code.
func TestEC2Lifecycle(t *testing.T) {
	s := sim.New(sim.Options{PendingDescribes: 2})
	group := s.AddSecurityGroup("kola")
	c := ec2Client(t, s)
	if _, err := c.ImportKeyPair(&ec2.ImportKeyPairInput{KeyName: aws.String("fidelity"), PublicKeyMaterial: []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB0= fidelity")}); err != nil {
		t.Fatalf("import key pair: %v", err)
	}
	run, err := c.RunInstances(&ec2.RunInstancesInput{
		ImageId: aws.String("ami-0123456789abcdef0"), InstanceType: aws.String("t3.small"), MinCount: aws.Int64(1), MaxCount: aws.Int64(1),
		KeyName: aws.String("fidelity"), SecurityGroupIds: []*string{aws.String(group)}, ClientToken: aws.String("fidelity-1"),
		UserData: aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n"))),
		TagSpecifications: []*ec2.TagSpecification{{ResourceType: aws.String("instance"), Tags: []*ec2.Tag{
			{Key: aws.String("CreatedBy"), Value: aws.String("strata")}, {Key: aws.String("Name"), Value: aws.String("fidelity-1")}}}},
	})
	if err != nil || len(run.Instances) != 1 {
		t.Fatalf("run instances: %v, %v", run, err)
	}
	id := run.Instances[0].InstanceId
	ctx := context.Background()
	fast := request.WithWaiterDelay(request.ConstantWaiterDelay(10 * time.Millisecond))
	if err := c.WaitUntilInstanceRunningWithContext(ctx, &ec2.DescribeInstancesInput{InstanceIds: []*string{id}}, fast); err != nil {
		t.Fatalf("wait until running: %v", err)
	}
	out, err := c.DescribeInstances(&ec2.DescribeInstancesInput{Filters: []*ec2.Filter{{Name: aws.String("tag:CreatedBy"), Values: []*string{aws.String("strata")}}}})
	if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		t.Fatalf("describe by tag: %v, %v", out, err)
	}
	in := out.Reservations[0].Instances[0]
	if aws.StringValue(in.State.Name) != "running" || aws.StringValue(in.KeyName) != "fidelity" || aws.StringValue(in.PublicIpAddress) == "" ||
		aws.StringValue(in.PrivateIpAddress) == "" || len(in.Tags) != 2 || in.LaunchTime == nil {
		t.Errorf("instance: %v", in)
	}
	attr, err := c.DescribeInstanceAttribute(&ec2.DescribeInstanceAttributeInput{InstanceId: id, Attribute: aws.String("userData")})
	if err != nil || attr.UserData == nil || aws.StringValue(attr.UserData.Value) != base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n")) {
		t.Errorf("userData attribute: %v, %v", attr, err)
	}
	s.SetConsole(aws.StringValue(id), []byte("login: "))
	con, err := c.GetConsoleOutput(&ec2.GetConsoleOutputInput{InstanceId: id})
	if err != nil {
		t.Fatalf("console: %v", err)
	}
	if b, _ := base64.StdEncoding.DecodeString(aws.StringValue(con.Output)); string(b) != "login: " {
		t.Errorf("console %q", b)
	}
	if _, err := c.TerminateInstances(&ec2.TerminateInstancesInput{InstanceIds: []*string{id}}); err != nil {
		t.Fatalf("terminate: %v", err)
	}
	if err := c.WaitUntilInstanceTerminatedWithContext(ctx, &ec2.DescribeInstancesInput{InstanceIds: []*string{id}}, fast); err != nil {
		t.Fatalf("wait until terminated: %v", err)
	}
	_, err = c.DescribeInstances(&ec2.DescribeInstancesInput{InstanceIds: []*string{aws.String("i-0000000000000dead")}})
	if ae, ok := err.(awserr.Error); !ok || ae.Code() != "InvalidInstanceID.NotFound" {
		t.Errorf("a missing instance: %v", err)
	}
	if _, err := c.DeleteKeyPair(&ec2.DeleteKeyPairInput{KeyName: aws.String("fidelity")}); err != nil {
		t.Errorf("delete key pair: %v", err)
	}
}
