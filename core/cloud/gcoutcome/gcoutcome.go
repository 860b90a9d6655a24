// Package gcoutcome checks what a garbage collection left in a cloud
// against what it had to delete and keep. It is its own package, free of
// the rest of core, so that the simulators, which plant the populations
// GC is tested on, can use it without pulling in the platform contracts
// (and their userdata parsers) for every client that imports them.
package gcoutcome

import (
	"fmt"
	"slices"
)

// Check says whether a collection left the cloud as it must:
// exists is what is there after it, gone what had to be deleted and keep
// what had to stay, each as "kind name". The error counts each kind of
// mistake and names the first few of each. Simulators use it to check GC
// over the populations they plant.
func Check(exists map[string]bool, gone, keep []string) error {
	var wronglyGone, wronglyKept []string
	for _, r := range keep {
		if !exists[r] {
			wronglyGone = append(wronglyGone, r)
		}
	}
	for _, r := range gone {
		if exists[r] {
			wronglyKept = append(wronglyKept, r)
		}
	}
	if len(wronglyGone) == 0 && len(wronglyKept) == 0 {
		return nil
	}
	slices.Sort(wronglyGone)
	slices.Sort(wronglyKept)
	return fmt.Errorf("%d resources that must stay are gone (first %v); %d old ones of strata's stay (first %v)",
		len(wronglyGone), wronglyGone[:min(3, len(wronglyGone))], len(wronglyKept), wronglyKept[:min(3, len(wronglyKept))])
}
