package main

import (
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud"
)

// gcFlags are what every cloud's gc command takes.
type gcFlags struct {
	Duration time.Duration `default:"5h" help:"Only resources older than this."`
	DryRun   bool          `name:"dry-run" help:"Print what would be deleted; delete nothing."`
}

// options are the flags as the providers' GC takes them, with progress
// lines on stderr.
func (g gcFlags) options(a *app) cloud.GCOptions {
	return cloud.GCOptions{OlderThan: g.Duration, DryRun: g.DryRun, Progress: cloud.LogProgress(a.log, gcProgressInterval)}
}

// report prints what a gc did (or would do), a line each and a summary
// naming where it looked, and passes GC's error on.
func (g gcFlags) report(a *app, cloudName, where string, items []cloud.GCItem, err error) error {
	verb := "deleted"
	if g.DryRun {
		verb = "would delete"
	}
	for _, it := range items {
		fmt.Fprintf(a.stdout, "%s %s\n", verb, it)
	}
	fmt.Fprintf(a.stdout, "ore %s gc: %s %d resources%s older than %v\n", cloudName, verb, len(items), where, g.Duration)
	return err
}
