package api

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// CopyImage copies the AMI srcID of srcRegion into the client's region
// under name, tags the copy and its snapshot, and waits until the copy is
// available, checking every poll.
func (c *Client) CopyImage(ctx context.Context, srcRegion, srcID, name string, tags map[string]string, poll time.Duration) (*Image, error) {
	what := fmt.Sprintf("copy %s from %s to %s", srcID, srcRegion, c.region)
	cctx, cancel := c.call(ctx)
	out, err := c.ec2.CopyImage(cctx, &ec2.CopyImageInput{
		Name: aws.String(name), SourceRegion: aws.String(srcRegion), SourceImageId: aws.String(srcID),
		TagSpecifications: []types.TagSpecification{
			{ResourceType: types.ResourceTypeImage, Tags: sdkTags(tags)},
			{ResourceType: types.ResourceTypeSnapshot, Tags: sdkTags(tags)},
		},
	})
	cancel()
	if err != nil {
		return nil, classify(what, "image", srcID, err)
	}
	return c.WaitImage(ctx, aws.ToString(out.ImageId), what, poll)
}

// WaitImage waits until the AMI id is available (a copy, a registration)
// and returns it; a failed one is a *TerminalError. what names the work
// in errors.
func (c *Client) WaitImage(ctx context.Context, id, what string, poll time.Duration) (*Image, error) {
	for {
		cctx, cancel := c.call(ctx)
		d, err := c.ec2.DescribeImages(cctx, &ec2.DescribeImagesInput{ImageIds: []string{id}})
		cancel()
		if err != nil {
			return nil, classify(what, "image", id, err)
		}
		if len(d.Images) == 1 {
			im := d.Images[0]
			switch im.State {
			case types.ImageStateAvailable:
				img := image(im)
				return &img, nil
			case types.ImageStateFailed, types.ImageStateError, types.ImageStateInvalid:
				reason := ""
				if im.StateReason != nil {
					reason = aws.ToString(im.StateReason.Message)
				}
				return nil, &TerminalError{Op: what, Code: string(im.State), Err: fmt.Errorf("image %s is %s: %s", id, im.State, reason)}
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s: image %s not available: %w", what, id, context.Cause(ctx))
		case <-time.After(poll):
		}
	}
}
