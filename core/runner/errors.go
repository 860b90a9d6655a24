package runner

import "errors"

// Exit statuses of a kola run. A *platform.UsageError maps to ExitUsage,
// a *platform.InfraError (a run that could not start, a test whose
// machines could not be made) to ExitInfra.
const (
	ExitOK        = 0   // every selected test passed (or was skipped)
	ExitFailed    = 1   // a test failed
	ExitUsage     = 2   // bad flags, patterns, platform or test definitions
	ExitInfra     = 3   // the platform failed: no flight, machines not created
	ExitInterrupt = 130 // stopped by SIGINT (128 + 2, as a shell reports it)
	ExitTerminate = 143 // stopped by SIGTERM (128 + 15)
)

// ErrInterrupted wraps the error of a run stopped before its tests
// started (its flight cut short by Ctrl-C or SIGTERM): kola exits with
// ExitInterrupt for it, not ExitInfra, since the platform did not fail.
var ErrInterrupted = errors.New("interrupted")
