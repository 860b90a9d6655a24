package platform

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrNoJournal is returned by Machine.Journal on images without journald.
var ErrNoJournal = errors.New("no systemd journal on this machine")

// InfraError marks a failure of the platform rather than of the image
// under test: a machine that could not be created, a cloud API error, a
// flight that could not start. The runner reports such tests as errors
// and kola exits 3, not 1.
type InfraError struct {
	Op  string // what was being done, e.g. "create machine 2 of 3"; may be empty
	Err error
}

func (e *InfraError) Error() string {
	if e.Op == "" {
		return e.Err.Error()
	}
	return e.Op + ": " + e.Err.Error()
}
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

// UsageError is a problem with what the user asked for — a flag, a file
// or pattern named on the command line — found before anything ran; kola
// and ore exit 2. Providers return it from flag checks so that a wrong
// flag is not reported as a broken cloud.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Usage wraps err as a UsageError; nil stays nil.
func Usage(err error) error {
	if err == nil {
		return nil
	}
	return &UsageError{Err: err}
}

// Usagef is fmt.Errorf as a UsageError.
func Usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// IsUsage reports whether err is, or wraps, a UsageError or an
// UnknownProviderError.
func IsUsage(err error) bool {
	var ue *UsageError
	var pe *UnknownProviderError
	return errors.As(err, &ue) || errors.As(err, &pe)
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
