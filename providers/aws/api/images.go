package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Image is an AMI.
type Image struct {
	ID, Name, Arch string
	State          string // pending, available, failed…
	Created        time.Time
	SnapshotIDs    []string
	Tags           map[string]string
	// Public: every account may launch it.
	Public bool
}

// Snapshot is an EBS snapshot.
type Snapshot struct {
	ID      string
	Started time.Time
	Tags    map[string]string
}

// ImportImage imports s3://bucket/key (format raw, vmdk or vhd) as a
// snapshot, waits for the import, and registers an AMI named name booting
// from it. The snapshot and the AMI carry tags. poll is how often the
// import is checked on. A token, if given, is the import's client token:
// the same token again (a retry after a crash) gets the same import
// task, not a second snapshot.
func (c *Client) ImportImage(ctx context.Context, bucket, key, format, name, arch string, tags map[string]string, poll time.Duration, token string) (*Image, error) {
	where := fmt.Sprintf("s3://%s/%s", bucket, key)
	cctx, cancel := c.call(ctx)
	var clientToken *string
	if token != "" {
		clientToken = aws.String(token)
	}
	out, err := c.ec2.ImportSnapshot(cctx, &ec2.ImportSnapshotInput{
		ClientToken: clientToken,
		Description: aws.String(name),
		DiskContainer: &types.SnapshotDiskContainer{
			Format:     aws.String(strings.ToUpper(format)),
			UserBucket: &types.UserBucket{S3Bucket: aws.String(bucket), S3Key: aws.String(key)},
		},
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeImportSnapshotTask, Tags: sdkTags(tags)}},
	})
	cancel()
	if err != nil {
		return nil, classify("import "+where, "object", where, err)
	}
	task := aws.ToString(out.ImportTaskId)
	var snapshot string
	for snapshot == "" {
		cctx, cancel := c.call(ctx)
		d, err := c.ec2.DescribeImportSnapshotTasks(cctx, &ec2.DescribeImportSnapshotTasksInput{ImportTaskIds: []string{task}})
		cancel()
		if err != nil {
			return nil, classify("import "+where+" (task "+task+")", "import task", task, err)
		}
		if len(d.ImportSnapshotTasks) != 1 || d.ImportSnapshotTasks[0].SnapshotTaskDetail == nil {
			return nil, fmt.Errorf("import %s: task %s not found", where, task)
		}
		detail := d.ImportSnapshotTasks[0].SnapshotTaskDetail
		switch aws.ToString(detail.Status) {
		case "completed":
			snapshot = aws.ToString(detail.SnapshotId)
			continue
		case "deleted", "deleting":
			return nil, &TerminalError{Op: "import " + where, Code: "ImportFailed", Err: fmt.Errorf("task %s: %s", task, aws.ToString(detail.StatusMessage))}
		}
		c.log.Info("importing snapshot", "object", where, "task", task, "progress", aws.ToString(detail.Progress))
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("import %s (task %s): %w", where, task, context.Cause(ctx))
		case <-time.After(poll):
		}
	}
	if err := c.tag(ctx, snapshot, tags); err != nil {
		return nil, err
	}
	if arch == "" {
		arch = "x86_64"
	}
	cctx, cancel = c.call(ctx)
	defer cancel()
	reg, err := c.ec2.RegisterImage(cctx, &ec2.RegisterImageInput{
		Name: aws.String(name), Architecture: types.ArchitectureValues(arch), RootDeviceName: aws.String("/dev/xvda"),
		VirtualizationType: aws.String("hvm"), EnaSupport: aws.Bool(true),
		BlockDeviceMappings: []types.BlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"), Ebs: &types.EbsBlockDevice{
			SnapshotId: aws.String(snapshot), DeleteOnTermination: aws.Bool(true), VolumeType: types.VolumeTypeGp3,
		}}},
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeImage, Tags: sdkTags(tags)}},
	})
	if err != nil {
		err = classify("register image "+name+" from "+snapshot, "snapshot", snapshot, err)
		// The snapshot was made for this image only.
		if derr := c.DeleteSnapshot(context.WithoutCancel(ctx), snapshot); derr != nil {
			err = errors.Join(err, derr)
		}
		return nil, err
	}
	return &Image{ID: aws.ToString(reg.ImageId), Name: name, Arch: arch, SnapshotIDs: []string{snapshot}, Tags: tags}, nil
}

func (c *Client) tag(ctx context.Context, id string, tags map[string]string) error {
	if len(tags) == 0 {
		return nil
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.ec2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: sdkTags(tags)})
	return classify("tag "+id, "resource", id, err)
}

// Images lists this account's AMIs carrying every given tag.
func (c *Client) Images(ctx context.Context, tags map[string]string) ([]Image, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	in := &ec2.DescribeImagesInput{Owners: []string{"self"}}
	in.Filters = tagFilters(tags)
	out, err := c.ec2.DescribeImages(ctx, in)
	if err != nil {
		return nil, classify("list images", "image", "", err)
	}
	var images []Image
	for _, im := range out.Images {
		images = append(images, image(im))
	}
	return images, nil
}

func image(im types.Image) Image {
	img := Image{ID: aws.ToString(im.ImageId), Name: aws.ToString(im.Name), Arch: string(im.Architecture), State: string(im.State), Tags: tagMap(im.Tags), Public: aws.ToBool(im.Public)}
	img.Created, _ = time.Parse(time.RFC3339, aws.ToString(im.CreationDate))
	for _, b := range im.BlockDeviceMappings {
		if b.Ebs != nil && b.Ebs.SnapshotId != nil {
			img.SnapshotIDs = append(img.SnapshotIDs, *b.Ebs.SnapshotId)
		}
	}
	return img
}

// DeleteImage deregisters an AMI and deletes its snapshots.
func (c *Client) DeleteImage(ctx context.Context, img Image) error {
	cctx, cancel := c.call(ctx)
	_, err := c.ec2.DeregisterImage(cctx, &ec2.DeregisterImageInput{ImageId: aws.String(img.ID)})
	cancel()
	if err = classify("deregister image "+img.ID, "image", img.ID, err); err != nil && !IsNotFound(err) {
		return err
	}
	var errs []error
	for _, s := range img.SnapshotIDs {
		if err := c.DeleteSnapshot(ctx, s); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Snapshots lists this account's snapshots carrying every given tag.
func (c *Client) Snapshots(ctx context.Context, tags map[string]string) ([]Snapshot, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	in := &ec2.DescribeSnapshotsInput{OwnerIds: []string{"self"}}
	in.Filters = tagFilters(tags)
	out, err := c.ec2.DescribeSnapshots(ctx, in)
	if err != nil {
		return nil, classify("list snapshots", "snapshot", "", err)
	}
	var snaps []Snapshot
	for _, s := range out.Snapshots {
		sn := Snapshot{ID: aws.ToString(s.SnapshotId), Started: aws.ToTime(s.StartTime), Tags: tagMap(s.Tags)}
		snaps = append(snaps, sn)
	}
	return snaps, nil
}

// DeleteSnapshot deletes a snapshot; a missing one is not an error.
func (c *Client) DeleteSnapshot(ctx context.Context, id string) error {
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.ec2.DeleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(id)})
	if err = classify("delete snapshot "+id, "snapshot", id, err); IsNotFound(err) {
		return nil
	}
	return err
}

// SetPublic lets every account launch the AMI (public), or only this one.
func (c *Client) SetPublic(ctx context.Context, id string, public bool) error {
	perm := &types.LaunchPermissionModifications{}
	all := []types.LaunchPermission{{Group: types.PermissionGroupAll}}
	if public {
		perm.Add = all
	} else {
		perm.Remove = all
	}
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.ec2.ModifyImageAttribute(ctx, &ec2.ModifyImageAttributeInput{ImageId: aws.String(id), LaunchPermission: perm})
	return classify("make "+id+" public", "image", id, err)
}

// Tag adds tags to (or changes them on) an instance, image or snapshot.
func (c *Client) Tag(ctx context.Context, id string, tags map[string]string) error {
	return c.tag(ctx, id, tags)
}
