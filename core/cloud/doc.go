// Package cloud holds what every cloud provider shares and callers branch
// on: the typed errors a provider's API layer returns (not found, terminal,
// anything else retryable), and garbage collection's selection rule —
// only what strata tagged, and only when older than the bound.
package cloud
