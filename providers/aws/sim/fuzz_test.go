package sim

import (
	"net/http"
	"testing"

	"github.com/strata-os/strata/core/cloud/simfuzz"
)

// FuzzRequest: any request to EC2 (the query protocol), IAM or S3.
// Requests signed for ec2 and iam go to those, the rest to S3, as on the
// simulator's one address.
func FuzzRequest(f *testing.F) {
	for _, s := range []struct {
		m                   uint8
		service, path, body string
	}{
		{1, "ec2", "/", "Action=RunInstances&Version=2016-11-15&ImageId=ami-1&InstanceType=t3.small&MinCount=1&MaxCount=1&ClientToken=t&TagSpecification.1.ResourceType=instance&TagSpecification.1.Tag.1.Key=strata&TagSpecification.1.Tag.1.Value=1"},
		{1, "ec2", "/", "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=tag%3Astrata&Filter.1.Value.1=1&MaxResults=1000&NextToken=x"},
		{1, "ec2", "/", "Action=ImportSnapshot&Version=2016-11-15&DiskContainer.Format=RAW&DiskContainer.UserBucket.S3Bucket=b&DiskContainer.UserBucket.S3Key=k&ClientToken=t"},
		{1, "ec2", "/", "Action=ModifyImageAttribute&Version=2016-11-15&ImageId=ami-1&LaunchPermission.Add.1.Group=all"},
		{1, "iam", "/", "Action=GetUser&Version=2010-05-08"},
		{2, "s3", "/b", ""},
		{2, "s3", "/b/k?partNumber=1&uploadId=x", "data"},
		{1, "s3", "/b/k?uploads", ""},
		{0, "s3", "/b?list-type=2&prefix=p&continuation-token=x", ""},
	} {
		f.Add(s.m, s.service, s.path, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, m uint8, service, path string, body []byte) {
		c := NewCloud(Options{})
		header := http.Header{"Authorization": {"AWS4-HMAC-SHA256 Credential=AKIDFUZZ/20260101/us-east-1/" + service + "/aws4_request, SignedHeaders=host, Signature=0"}}
		if service == "ec2" || service == "iam" {
			header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		simfuzz.Serve(t, c.Handler(), simfuzz.Method(m), path, body, header)
	})
}
