package api

import (
	"errors"
	"fmt"
	"net"
	"net/http"

	"github.com/strata-os/strata/core/cloud"
	"google.golang.org/api/googleapi"
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

// retryable reports whether a call may succeed when tried again:
// throttling, server errors, and connections that broke.
func retryable(err error) bool {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code == http.StatusTooManyRequests || ge.Code >= 500
	}
	var ne net.Error
	return errors.As(err, &ne) && !ne.Timeout()
}

// reason is the first reason Google gave (notFound, rateLimitExceeded…).
func reason(ge *googleapi.Error) string {
	if len(ge.Errors) > 0 {
		return ge.Errors[0].Reason
	}
	return http.StatusText(ge.Code)
}

// classify wraps an error with what was being done: a NotFoundError for
// a 404, a TerminalError for other client errors, and the plain error
// (retryable) otherwise.
func classify(op, kind, id string, err error) error {
	if err == nil {
		return nil
	}
	var ge *googleapi.Error
	switch {
	case !errors.As(err, &ge):
		return fmt.Errorf("%s: %w", op, err)
	case ge.Code == http.StatusNotFound:
		return fmt.Errorf("%s: %w", op, &NotFoundError{Kind: kind, ID: id})
	case retryable(err):
		return fmt.Errorf("%s: %w", op, err)
	case ge.Code/100 == 4:
		return &TerminalError{Op: op, Code: reason(ge), Err: err}
	}
	return fmt.Errorf("%s: %w", op, err)
}
