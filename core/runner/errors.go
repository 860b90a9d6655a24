package runner

// Exit statuses of a kola run. A *platform.UsageError maps to ExitUsage,
// a *platform.InfraError (a run that could not start, a test whose
// machines could not be made) to ExitInfra.
const (
	ExitOK        = 0 // every selected test passed (or was skipped)
	ExitFailed    = 1 // a test failed
	ExitUsage     = 2 // bad flags, patterns, platform or test definitions
	ExitInfra     = 3 // the platform failed: no flight, machines not created
	ExitInterrupt = 130
)
