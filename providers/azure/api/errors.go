package api

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
)

// Error is a call Azure refused or failed: what was asked, and ARM's
// status, code and message (the SDK's own error prints the whole
// response, request headers included).
type Error struct {
	Op      string
	Status  int
	Code    string
	Message string
	err     error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %v", e.Op, e.err)
	}
	return fmt.Sprintf("%s: %d %s: %s", e.Op, e.Status, e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.err }

// wrap names what failed; an ARM error keeps its code and message.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return &Error{Op: op, err: err}
	}
	e := &Error{Op: op, Status: re.StatusCode, Code: re.ErrorCode, err: err}
	if re.RawResponse != nil {
		if body, rerr := runtime.Payload(re.RawResponse); rerr == nil {
			var b struct {
				Error struct{ Code, Message string }
			}
			var x struct{ Code, Message string } // Storage's XML error
			switch {
			case json.Unmarshal(body, &b) == nil:
				e.Message = b.Error.Message
				if e.Code == "" {
					e.Code = b.Error.Code
				}
			case xml.Unmarshal(body, &x) == nil:
				// Storage appends the request's ID and time on lines of
				// their own.
				e.Message, _, _ = strings.Cut(x.Message, "\n")
				if e.Code == "" {
					e.Code = x.Code
				}
			}
		}
	}
	if e.Message == "" {
		e.Message = http.StatusText(e.Status)
	}
	return e
}

func status(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.StatusCode
	}
	return 0
}

// IsNotFound reports whether Azure said the resource does not exist.
func IsNotFound(err error) bool { return status(err) == http.StatusNotFound }

// IsTerminal reports whether Azure refused the call for good: a 4xx
// other than a timeout, a conflict with a running operation, or
// throttling (which the SDK retries first).
func IsTerminal(err error) bool {
	s := status(err)
	return s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusConflict && s != http.StatusTooManyRequests
}

// Code is ARM's error code of a failed call, "" if there is none.
func Code(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// deref is *p, or T's zero value for a nil p (the SDK's optional fields).
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
