package cloud

import (
	"errors"
	"fmt"
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
