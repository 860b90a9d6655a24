package api

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// ImportRole is the role EC2's VM Import assumes to read uploads: AWS
// looks for this name.
const ImportRole = "vmimport"

// EnsureImportRole makes the vmimport role unless it exists, and lets it
// read bucket (a policy per bucket, so one role serves several).
func (c *Client) EnsureImportRole(ctx context.Context, bucket string) (created bool, err error) {
	cctx, cancel := c.call(ctx)
	defer cancel()
	_, err = c.iam.GetRole(cctx, &iam.GetRoleInput{RoleName: aws.String(ImportRole)})
	if err = classify("get role "+ImportRole, "role", ImportRole, err); err != nil && !IsNotFound(err) {
		return false, err
	}
	if IsNotFound(err) {
		trust, _ := json.Marshal(policy{Version: "2012-10-17", Statement: []statement{{
			Effect: "Allow", Principal: map[string]string{"Service": "vmie.amazonaws.com"}, Action: []string{"sts:AssumeRole"},
			Condition: map[string]map[string]string{"StringEquals": {"sts:Externalid": ImportRole}},
		}}})
		if _, err := c.iam.CreateRole(cctx, &iam.CreateRoleInput{RoleName: aws.String(ImportRole), AssumeRolePolicyDocument: aws.String(string(trust)),
			Description: aws.String("EC2 VM Import reads uploaded images (made by ore aws initialize)")}); err != nil {
			return false, classify("create role "+ImportRole, "role", ImportRole, err)
		}
		created = true
	}
	access, _ := json.Marshal(policy{Version: "2012-10-17", Statement: []statement{
		{Effect: "Allow", Action: []string{"s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket"},
			Resource: []string{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"}},
		{Effect: "Allow", Action: []string{"ec2:ModifySnapshotAttribute", "ec2:CopySnapshot", "ec2:RegisterImage", "ec2:Describe*"},
			Resource: []string{"*"}},
	}})
	name := fmt.Sprintf("%s-%s", ImportRole, bucket)
	if _, err := c.iam.PutRolePolicy(cctx, &iam.PutRolePolicyInput{RoleName: aws.String(ImportRole), PolicyName: aws.String(name), PolicyDocument: aws.String(string(access))}); err != nil {
		return created, classify("put role policy "+name, "role", ImportRole, err)
	}
	return created, nil
}

// policy is an IAM policy document.
type policy struct {
	Version   string
	Statement []statement
}

type statement struct {
	Effect    string
	Principal map[string]string            `json:",omitempty"`
	Action    []string                     `json:",omitempty"`
	Resource  []string                     `json:",omitempty"`
	Condition map[string]map[string]string `json:",omitempty"`
}
