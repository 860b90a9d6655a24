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

// A release's calls through the v1 SDK: an import retried with its client
// token is the same task, and an AMI made public by ModifyImageAttribute
// (launch permission for group all) reads back as public, and private
// again when the permission is removed.
func TestEC2ReleaseCalls(t *testing.T) {
	s3 := sim.NewS3()
	s := sim.New(sim.Options{PendingDescribes: 1, S3: s3})
	s3.AddObject("images", "disk.raw", make([]byte, 1<<20), nil, time.Now())
	c := ec2Client(t, s)
	in := &ec2.ImportSnapshotInput{
		ClientToken:   aws.String("fidelity-release-1"),
		DiskContainer: &ec2.SnapshotDiskContainer{Format: aws.String("RAW"), UserBucket: &ec2.UserBucket{S3Bucket: aws.String("images"), S3Key: aws.String("disk.raw")}},
	}
	first, err := c.ImportSnapshot(in)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	again, err := c.ImportSnapshot(in)
	if err != nil || aws.StringValue(again.ImportTaskId) != aws.StringValue(first.ImportTaskId) {
		t.Fatalf("import with the same token: %v, %v (first %s)", again, err, aws.StringValue(first.ImportTaskId))
	}
	var snapshot string
	for i := 0; i < 10 && snapshot == ""; i++ {
		d, err := c.DescribeImportSnapshotTasks(&ec2.DescribeImportSnapshotTasksInput{ImportTaskIds: []*string{first.ImportTaskId}})
		if err != nil {
			t.Fatal(err)
		}
		snapshot = aws.StringValue(d.ImportSnapshotTasks[0].SnapshotTaskDetail.SnapshotId)
	}
	reg, err := c.RegisterImage(&ec2.RegisterImageInput{Name: aws.String("fidelity-release"), RootDeviceName: aws.String("/dev/xvda"),
		BlockDeviceMappings: []*ec2.BlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"), Ebs: &ec2.EbsBlockDevice{SnapshotId: aws.String(snapshot)}}}})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	for _, public := range []bool{true, false} {
		perm := &ec2.LaunchPermissionModifications{}
		all := []*ec2.LaunchPermission{{Group: aws.String("all")}}
		if public {
			perm.Add = all
		} else {
			perm.Remove = all
		}
		if _, err := c.ModifyImageAttribute(&ec2.ModifyImageAttributeInput{ImageId: reg.ImageId, LaunchPermission: perm}); err != nil {
			t.Fatalf("modify image attribute: %v", err)
		}
		d, err := c.DescribeImages(&ec2.DescribeImagesInput{ImageIds: []*string{reg.ImageId}})
		if err != nil || len(d.Images) != 1 || aws.BoolValue(d.Images[0].Public) != public {
			t.Errorf("public %v: %v, %v", public, d, err)
		}
	}
	_, err = c.ModifyImageAttribute(&ec2.ModifyImageAttributeInput{ImageId: reg.ImageId, LaunchPermission: &ec2.LaunchPermissionModifications{
		Add: []*ec2.LaunchPermission{{Group: aws.String("everyone")}}}})
	if ae, ok := err.(awserr.Error); !ok || ae.Code() != "InvalidParameterValue" {
		t.Errorf("an unknown group: %v", err)
	}
}
