package api

import (
	"context"
	"time"

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

// KeyPair is an EC2 key pair.
type KeyPair struct {
	Name    string
	Created time.Time
	Tags    map[string]string
}

// KeyPairs lists the key pairs carrying every given tag.
func (c *Client) KeyPairs(ctx context.Context, tags map[string]string) ([]KeyPair, error) {
	ctx, cancel := c.call(ctx)
	defer cancel()
	in := &ec2.DescribeKeyPairsInput{}
	in.Filters = tagFilters(tags)
	out, err := c.ec2.DescribeKeyPairs(ctx, in)
	if err != nil {
		return nil, classify("list key pairs", "key pair", "", err)
	}
	var keys []KeyPair
	for _, k := range out.KeyPairs {
		kp := KeyPair{Name: aws.ToString(k.KeyName), Created: aws.ToTime(k.CreateTime), Tags: tagMap(k.Tags)}
		keys = append(keys, kp)
	}
	return keys, nil
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
