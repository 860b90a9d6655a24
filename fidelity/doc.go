// Package fidelity tests strata's cloud simulators with clients other than
// the ones strata's providers use: Google's cloud.google.com/go/storage
// and compute clients against the Compute Engine and Cloud Storage
// simulator (the provider uses google.golang.org/api), and minio-go
// against the S3 simulator (the provider uses the AWS SDK). A simulator
// that only one client has spoken to fits that client, not the cloud;
// these tests keep what a second client found fixed.
//
// It is a module of its own, outside go.work and the Bazel build, so
// those clients' dependencies (gRPC, OpenTelemetry, the generated Compute
// client) never reach the providers' builds; CI runs it with GOWORK=off.
package fidelity
