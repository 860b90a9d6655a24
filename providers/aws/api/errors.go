package api

import (
	"errors"
	"fmt"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/strata-os/strata/core/cloud"
)

// The provider's typed errors are core's, so callers branch the same way
// whatever the cloud.
type (
	NotFoundError = cloud.NotFoundError
	TerminalError = cloud.TerminalError
)

// IsNotFound reports whether err says the resource does not exist.
func IsNotFound(err error) bool { return cloud.IsNotFound(err) }

// IsTerminal reports whether err cannot be fixed by trying again.
func IsTerminal(err error) bool { return cloud.IsTerminal(err) }

// retryableCodes are EC2's codes for trouble that passes; the SDK already
// retried them, so when they reach us the call may be tried again later.
var retryableCodes = map[string]bool{
	"RequestLimitExceeded": true, "Throttling": true, "ThrottlingException": true,
	"InternalError": true, "ServiceUnavailable": true, "Unavailable": true,
	"InsufficientInstanceCapacity": true,
}

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// classify wraps an SDK error with what was being done: a NotFoundError
// for EC2's *.NotFound codes, a TerminalError for other client errors,
// and the plain error (retryable) otherwise.
func classify(op, kind, id string, err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("%s: %w", op, err)
	}
	code := ae.ErrorCode()
	switch {
	case strings.HasSuffix(code, ".NotFound") || code == "NoSuchEntity":
		return fmt.Errorf("%s: %w", op, &NotFoundError{Kind: kind, ID: id})
	case retryableCodes[code]:
		return fmt.Errorf("%s: %w", op, err)
	case ae.ErrorFault() == smithy.FaultClient || httpStatus(err)/100 == 4:
		// EC2's query errors carry no fault; a 4xx is the caller's.
		return &TerminalError{Op: op, Code: code, Err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}
