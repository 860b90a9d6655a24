package runner

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/strata-os/strata/core/consolecheck"
	"github.com/strata-os/strata/core/harness"
	"github.com/strata-os/strata/core/platform"
)

// consolePollInterval is how often a cloud machine's console is fetched
// while its test runs: a console API call per machine; the clouds
// refresh their consoles every few seconds at best.
var consolePollInterval = 15 * time.Second

// pollConsoles fetches the consoles of a test's machines every interval
// while the test runs, for flights that do not watch them themselves
// (platform.ConsoleWatcher): the first fatal match (a panic, an oops, an
// emergency shell) aborts the test with its line, so that it ends now
// rather than at its timeout, as on qemu. The returned stop ends the
// polling; the full checks run after the test as always.
func pollConsoles(h *harness.H, ms []platform.Machine, disabled map[string]bool) (stop func()) {
	ctx, cancel := context.WithCancel(h.Context())
	var wg sync.WaitGroup
	var once sync.Once
	for _, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(consolePollInterval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				for _, match := range consolecheck.Scan(m.ConsoleOutput(ctx), disabled) {
					if match.Fatal() {
						once.Do(func() {
							h.Abort(fmt.Errorf("%s: %s (console, line %d, seen while the test ran)", m.ID(), match.Explain(), match.LineNo))
						})
						return
					}
				}
			}
		}()
	}
	return func() {
		cancel()
		wg.Wait()
	}
}
