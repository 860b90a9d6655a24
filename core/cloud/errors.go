package cloud

import (
	"errors"
	"fmt"
	"net/http"
)

// NotFoundError says a resource does not exist (any more).
type NotFoundError struct {
	Kind, ID string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("%s %s not found", e.Kind, e.ID) }

// IsNotFound reports whether err says the resource does not exist.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// TerminalError is an error that retrying cannot fix (bad request, no
// permission, quota exhausted): a person must act. Code is the cloud's
// own name for it.
type TerminalError struct {
	Op   string
	Code string
	Err  error
}

func (e *TerminalError) Error() string { return fmt.Sprintf("%s: %v", e.Op, e.Err) }
func (e *TerminalError) Unwrap() error { return e.Err }

// IsTerminal reports whether err cannot be fixed by trying again.
func IsTerminal(err error) bool {
	var te *TerminalError
	return errors.As(err, &te)
}

// HTTPError is a call a cloud's REST API refused or failed: what was
// asked (Op), and the HTTP status and message it answered, or Err when
// no answer came (Status 0). The API packages of the clouds whose SDKs
// answer with a status and a message (DigitalOcean, Equinix Metal,
// OpenStack) return it as their api.Error.
type HTTPError struct {
	Op      string
	Status  int
	Message string
	Err     error
}

func (e *HTTPError) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("%s: %v", e.Op, e.Err)
	}
	return fmt.Sprintf("%s: %d %s: %s", e.Op, e.Status, http.StatusText(e.Status), e.Message)
}

func (e *HTTPError) Unwrap() error { return e.Err }

// HTTPStatus is the status of the HTTPError in err's chain, or 0.
func HTTPStatus(err error) int {
	var e *HTTPError
	if errors.As(err, &e) {
		return e.Status
	}
	return 0
}

// RefusedForGood reports whether an HTTP status refuses a call for good:
// a 4xx other than throttling (429) and a request timeout (408).
func RefusedForGood(status int) bool {
	return status >= 400 && status < 500 && status != http.StatusTooManyRequests && status != http.StatusRequestTimeout
}
