package api

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// ImportKeyPair registers an OpenSSH public key under name.
func (c *Client) ImportKeyPair(ctx context.Context, name, authorizedKey string, tags map[string]string) error {
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.ec2.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{
		KeyName: aws.String(name), PublicKeyMaterial: []byte(authorizedKey),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeKeyPair, Tags: sdkTags(tags)}},
	})
	return classify("import key pair "+name, "key pair", name, err)
}

// DeleteKeyPair removes a key pair; a missing one is not an error.
func (c *Client) DeleteKeyPair(ctx context.Context, name string) error {
	ctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.ec2.DeleteKeyPair(ctx, &ec2.DeleteKeyPairInput{KeyName: aws.String(name)})
	if err = classify("delete key pair "+name, "key pair", name, err); IsNotFound(err) {
		return nil
	}
	return err
}

// SecurityGroupID finds a security group by name; a *NotFoundError if
// there is none.
func (c *Client) SecurityGroupID(ctx context.Context, name string) (string, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	out, err := c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{
		Filters: []types.Filter{{Name: aws.String("group-name"), Values: []string{name}}},
	})
	if err != nil {
		return "", classify("find security group "+name, "security group", name, err)
	}
	if len(out.SecurityGroups) == 0 {
		return "", &NotFoundError{Kind: "security group", ID: name}
	}
	return aws.ToString(out.SecurityGroups[0].GroupId), nil
}
