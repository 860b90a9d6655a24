package aws

import (
	"strings"
	"testing"
)

// A release index from a server is outside input: whatever it holds,
// reading it does not panic, and an answer is an AMI ID of the region or
// an error saying what is wrong.
func FuzzAMIFromIndex(f *testing.F) {
	f.Add([]byte(`{"amis":[{"name":"us-east-1","hvm":"ami-0123456789abcdef0"}]}`), "us-east-1")
	f.Add([]byte(`{"amis":[{"name":"us-east-1","hvm":"latest"}]}`), "us-east-1")
	f.Add([]byte(`{"amis":null}`), "eu-west-1")
	f.Add([]byte(`[1,2,3]`), "us-east-1")
	f.Add([]byte(`{"amis":[{"name":"us-east-1","hvm":"ami-0123456789abcdef0","pv":"x"}],"extra":{}}`), "us-east-1")
	f.Fuzz(func(t *testing.T, data []byte, region string) {
		id, err := AMIFromIndex(data, region)
		switch {
		case err != nil && id != "":
			t.Fatalf("both an AMI %q and an error %v", id, err)
		case err == nil && !amiID.MatchString(id):
			t.Fatalf("answered %q, not an AMI ID", id)
		case err != nil && !strings.Contains(err.Error(), "release AMI list") && !strings.Contains(err.Error(), region):
			t.Fatalf("error %q names neither the list nor the region %q", err, region)
		}
	})
}
