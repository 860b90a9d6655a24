package api

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"

	"google.golang.org/api/googleapi"
)

func TestClassify(t *testing.T) {
	gerr := func(code int, reason string) error {
		return fmt.Errorf("wrapped: %w", &googleapi.Error{Code: code, Message: "m", Errors: []googleapi.ErrorItem{{Reason: reason}}})
	}
	for _, tc := range []struct {
		err                error
		notFound, terminal bool
		retry              bool
		code               string
	}{
		{gerr(404, "notFound"), true, false, false, ""},
		{gerr(403, "quotaExceeded"), false, true, false, "quotaExceeded"},
		{gerr(400, "invalid"), false, true, false, "invalid"},
		{gerr(409, "alreadyExists"), false, true, false, "alreadyExists"},
		{gerr(429, "rateLimitExceeded"), false, false, true, ""},
		{gerr(503, "backendError"), false, false, true, ""},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, false, false, true, ""},
		{errors.New("other"), false, false, false, ""},
	} {
		err := classify("get instance x", "instance", "x", tc.err)
		if IsNotFound(err) != tc.notFound || IsTerminal(err) != tc.terminal || retryable(tc.err) != tc.retry {
			t.Errorf("%v: notFound %v terminal %v retryable %v", tc.err, IsNotFound(err), IsTerminal(err), retryable(tc.err))
		}
		if !strings.HasPrefix(err.Error(), "get instance x: ") {
			t.Errorf("%v does not say what was being done", err)
		}
		var te *TerminalError
		if errors.As(err, &te) && te.Code != tc.code {
			t.Errorf("%v: code %q, want %q", err, te.Code, tc.code)
		}
	}
	if classify("x", "y", "z", nil) != nil {
		t.Error("nil is not nil")
	}
}
