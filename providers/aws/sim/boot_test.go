package sim

import (
	"context"
	"encoding/base64"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/qemu/box"
)

// bootCloud is a simulated account whose instances boot in QEMU, with an
// AMI imported (through ImportSnapshot, as ore does it) from a blank
// disk: SeaBIOS finds nothing to boot and says so on the serial
// console, which is all these tests need of a guest.
func bootCloud(t *testing.T) (*Cloud, *box.Box, *ec2.Client, string) {
	t.Helper()
	if _, err := exec.LookPath("qemu-system-x86_64"); err != nil {
		t.Skip("QEMU not installed")
	}
	b, err := box.New(box.Config{Dir: t.TempDir(), Accel: "tcg", MemoryMiB: 128})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	cloud := NewCloud(Options{Box: b, PendingDescribes: 1})
	cloud.S3.AddObject("images", "blank.raw", make([]byte, 1<<20), nil, time.Now())
	s := cloud.Region("us-east-1")
	c := client(t, s)
	ctx := context.Background()
	task, err := c.ImportSnapshot(ctx, &ec2.ImportSnapshotInput{DiskContainer: &types.SnapshotDiskContainer{
		Format: aws.String("RAW"), UserBucket: &types.UserBucket{S3Bucket: aws.String("images"), S3Key: aws.String("blank.raw")}}})
	if err != nil {
		t.Fatal(err)
	}
	var snap string
	for i := 0; i < 200 && snap == ""; i++ {
		out, err := c.DescribeImportSnapshotTasks(ctx, &ec2.DescribeImportSnapshotTasksInput{ImportTaskIds: []string{aws.ToString(task.ImportTaskId)}})
		if err != nil {
			t.Fatal(err)
		}
		d := out.ImportSnapshotTasks[0].SnapshotTaskDetail
		if aws.ToString(d.Status) == "deleted" {
			t.Fatalf("import failed: %s", aws.ToString(d.StatusMessage))
		}
		snap = aws.ToString(d.SnapshotId)
		time.Sleep(10 * time.Millisecond)
	}
	if snap == "" {
		t.Fatal("the import never completed")
	}
	im, err := c.RegisterImage(ctx, &ec2.RegisterImageInput{Name: aws.String("blank"), RootDeviceName: aws.String("/dev/xvda"),
		BlockDeviceMappings: []types.BlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"), Ebs: &types.EbsBlockDevice{SnapshotId: aws.String(snap)}}}})
	if err != nil {
		t.Fatal(err)
	}
	return cloud, b, c, aws.ToString(im.ImageId)
}

func TestBootedInstance(t *testing.T) {
	cloud, b, c, ami := bootCloud(t)
	ctx := context.Background()
	out, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		UserData: aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\n")))})
	if err != nil {
		t.Fatal(err)
	}
	in := out.Instances[0]
	id := aws.ToString(in.InstanceId)
	if aws.ToString(in.PlatformDetails) != BootedPlatform {
		t.Errorf("platformDetails %q, want %q (the provider must treat it as a real instance)", aws.ToString(in.PlatformDetails), BootedPlatform)
	}
	if got := b.Running(); len(got) != 1 || got[0] != id {
		t.Fatalf("box runs %v, want [%s]", got, id)
	}
	// The console API returns the machine's own serial output.
	var console string
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && !strings.Contains(console, "No bootable device"); time.Sleep(200 * time.Millisecond) {
		co, err := c.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(id)})
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(aws.ToString(co.Output))
		console = string(raw)
	}
	if !strings.Contains(console, "SeaBIOS") || !strings.Contains(console, "No bootable device") {
		t.Errorf("console:\n%s", console)
	}
	// The disk was the snapshot's: deleting the snapshot in use is refused,
	// and after the image goes it removes the box's copy.
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if got := b.Running(); len(got) != 0 {
		t.Errorf("after terminate the box still runs %v", got)
	}
	if out, _ := exec.Command("pgrep", "-f", "qemu-system.*"+id).Output(); len(out) > 0 {
		t.Errorf("QEMU of %s still runs: pid %s", id, out)
	}
	co, err := c.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(id)})
	if raw, _ := base64.StdEncoding.DecodeString(aws.ToString(co.Output)); err != nil || !strings.Contains(string(raw), "SeaBIOS") {
		t.Errorf("the console of a terminated instance: %q, %v", raw, err)
	}
	s := cloud.Region("us-east-1")
	snap := s.Images()[0].SnapshotID
	if _, err := c.DeregisterImage(ctx, &ec2.DeregisterImageInput{ImageId: aws.String(ami)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(snap)}); err != nil {
		t.Fatal(err)
	}
	if disks, err := b.Disks(); err != nil || len(disks) != 0 {
		t.Errorf("disks left in the box: %v, %v", disks, err)
	}
}

// A launch refused or throttled by the fault engine never boots.
func TestRefusedLaunchBootsNothing(t *testing.T) {
	cloud, b, c, ami := bootCloud(t)
	s := cloud.Region("us-east-1")
	ctx := context.Background()
	s.Faults().Set(fault.Rule{Call: "RunInstances", Effect: fault.Throttle})
	if _, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}); err == nil {
		t.Fatal("a throttled launch succeeded")
	}
	s.Faults().Set(fault.Rule{Call: "RunInstances", Effect: fault.Error})
	if _, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(ami), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}); err == nil {
		t.Fatal("a refused launch succeeded")
	}
	s.Faults().Set()
	if got := b.Running(); len(got) != 0 {
		t.Errorf("refused launches booted %v", got)
	}
	if n := len(s.Instances()); n != 0 {
		t.Errorf("refused launches made %d instances", n)
	}
}
