package platform

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrNoJournal is returned by Machine.Journal on images without journald.
var ErrNoJournal = errors.New("no systemd journal on this machine")

// ErrNotFound is wrapped by providers when a resource does not exist.
var ErrNotFound = errors.New("not found")

// InfraError marks a failure of the platform rather than of the image
// under test: a machine that could not be created, a cloud API error. The
// runner reports such tests as errors (exit status 3), not failures.
type InfraError struct {
	Op  string // what was being done, e.g. "create machine 2 of 3"
	Err error
}

func (e *InfraError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *InfraError) Unwrap() error { return e.Err }

// Infra wraps err as an InfraError; nil stays nil.
func Infra(op string, err error) error {
	if err == nil {
		return nil
	}
	return &InfraError{Op: op, Err: err}
}

// IsInfra reports whether err is, or wraps, an InfraError.
func IsInfra(err error) bool {
	var ie *InfraError
	return errors.As(err, &ie)
}

// UnknownProviderError names a platform that no linked provider registered.
type UnknownProviderError struct {
	Name  string
	Known []string
}

func (e *UnknownProviderError) Error() string {
	known := append([]string(nil), e.Known...)
	sort.Strings(known)
	if len(known) == 0 {
		return fmt.Sprintf("unknown platform %q: no providers are linked into this binary", e.Name)
	}
	return fmt.Sprintf("unknown platform %q (known: %s)", e.Name, strings.Join(known, ", "))
}
