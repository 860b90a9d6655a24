package fidelity

import (
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/iam"
	"github.com/strata-os/strata/providers/aws/sim"
)

// The vmimport role as `ore aws initialize` makes it, through version 1
// of the AWS SDK for Go: created, read back, given a policy; a missing
// role is IAM's NoSuchEntity.
func TestIAMRole(t *testing.T) {
	s := sim.NewIAM()
	srv := httptest.NewServer(s)
	defer srv.Close()
	sess, err := session.NewSession(&aws.Config{Region: aws.String("us-east-1"), Endpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentials("AKIDEXAMPLE", "secret", "")})
	if err != nil {
		t.Fatal(err)
	}
	c := iam.New(sess)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vmie.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	out, err := c.CreateRole(&iam.CreateRoleInput{RoleName: aws.String("vmimport"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil || aws.StringValue(out.Role.RoleName) != "vmimport" || aws.StringValue(out.Role.Arn) == "" {
		t.Fatalf("create role: %v, %v", out, err)
	}
	got, err := c.GetRole(&iam.GetRoleInput{RoleName: aws.String("vmimport")})
	if err != nil || aws.StringValue(got.Role.Arn) != aws.StringValue(out.Role.Arn) {
		t.Errorf("get role: %v, %v", got, err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::kola-images/*"]}]}`
	if _, err := c.PutRolePolicy(&iam.PutRolePolicyInput{RoleName: aws.String("vmimport"), PolicyName: aws.String("vmimport"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Errorf("put role policy: %v", err)
	}
	_, err = c.GetRole(&iam.GetRoleInput{RoleName: aws.String("nope")})
	if ae, ok := err.(awserr.Error); !ok || ae.Code() != iam.ErrCodeNoSuchEntityException {
		t.Errorf("a missing role: %v", err)
	}
	if _, err := c.CreateRole(&iam.CreateRoleInput{RoleName: aws.String("vmimport"), AssumeRolePolicyDocument: aws.String(trust)}); err == nil {
		t.Error("a second role of the same name was created")
	} else if ae, ok := err.(awserr.Error); !ok || ae.Code() != iam.ErrCodeEntityAlreadyExistsException {
		t.Errorf("a second role of the same name: %v", err)
	}
	if roles := s.Roles(); len(roles) != 1 {
		t.Errorf("roles: %+v", roles)
	}
}
