package api

import (
	"errors"
	"net/http"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sdkError is an EC2 error as the SDK returns it: an API error wrapped in
// the HTTP response error.
func sdkError(status int, code string) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}},
		Err:      &smithy.GenericAPIError{Code: code, Message: "m"},
	}}
}

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		err                error
		notFound, terminal bool
	}{
		{sdkError(400, "InvalidInstanceID.NotFound"), true, false},
		{sdkError(400, "InvalidKeyPair.NotFound"), true, false},
		{sdkError(400, "VcpuLimitExceeded"), false, true},
		{sdkError(403, "UnauthorizedOperation"), false, true},
		{sdkError(503, "RequestLimitExceeded"), false, false},
		{sdkError(400, "RequestLimitExceeded"), false, false},
		{sdkError(500, "InternalError"), false, false},
		{sdkError(400, "InsufficientInstanceCapacity"), false, false},
		{errors.New("connection reset"), false, false},
	} {
		got := classify("op", "instance", "i-1", tc.err)
		if IsNotFound(got) != tc.notFound || IsTerminal(got) != tc.terminal {
			t.Errorf("%v: not found %v, terminal %v; want %v, %v", tc.err, IsNotFound(got), IsTerminal(got), tc.notFound, tc.terminal)
		}
		if got == nil || got.Error()[:4] != "op: " {
			t.Errorf("%v: %v does not say what was being done", tc.err, got)
		}
	}
	if classify("op", "", "", nil) != nil {
		t.Error("nil error classified as an error")
	}
}
