package runner

import "fmt"

// Exit statuses of a kola run.
const (
	ExitOK        = 0 // every selected test passed (or was skipped)
	ExitFailed    = 1 // a test failed
	ExitUsage     = 2 // bad flags, patterns, platform or test definitions
	ExitInfra     = 3 // the platform failed: no flight, machines not created
	ExitInterrupt = 130
)

// UsageError is a problem with what the user asked for; kola exits 2.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usagef(format string, args ...any) error {
	return &UsageError{Err: fmt.Errorf(format, args...)}
}

// InfraError is a failure of the platform before any test could run; kola
// exits 3.
type InfraError struct{ Err error }

func (e *InfraError) Error() string { return e.Err.Error() }
func (e *InfraError) Unwrap() error { return e.Err }
