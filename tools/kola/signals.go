package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/strata-os/strata/core/runner"
)

// interruptible returns a context cancelled by the first SIGINT or SIGTERM,
// which lets every test destroy its machines; a second signal exits at once
// for a user who would rather leak machines than wait.
func (a *app) interruptible() (context.Context, func()) {
	if a.ctx != nil {
		return a.ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			a.terminated.Store(s == syscall.SIGTERM)
			fmt.Fprintf(a.stderr, "kola: %v: stopping tests and destroying machines; send it again to quit at once (machines may be left behind)\n", s)
			cancel(fmt.Errorf("interrupted by %v", s))
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			fmt.Fprintf(a.stderr, "kola: %v again: quitting without cleanup\n", s)
			a.exit(a.signalled(runner.ExitInterrupt))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(context.Canceled)
	}
}
