package cloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/strata-os/strata/core/platform"
	"golang.org/x/sync/errgroup"
)

// GCOptions select what garbage collection removes: resources strata
// tagged and older than OlderThan. Nothing untagged or younger is ever
// touched.
type GCOptions struct {
	OlderThan time.Duration
	// DryRun lists what would go and deletes nothing.
	DryRun bool
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Progress, if set, is told after every deletion how far GC is (one
	// call at a time); a leaked account's thousands of resources take
	// minutes, and a silent command looks hung. Not called on a dry run.
	Progress func(GCProgress)
}

// GCProgress is how far a collection is: of Total resources old enough,
// Done deleted and Failed not; Kind is the kind being deleted.
type GCProgress struct {
	Kind                string
	Done, Failed, Total int
}

// LogProgress returns a GCOptions.Progress that logs through log at most
// once per interval, and always the first deletion and the last.
func LogProgress(log *slog.Logger, interval time.Duration) func(GCProgress) {
	var last time.Time
	return func(p GCProgress) {
		finished := p.Done+p.Failed == p.Total
		if !last.IsZero() && !finished && time.Since(last) < interval {
			return
		}
		last = time.Now()
		log.Info("gc progress", "deleted", p.Done, "failed", p.Failed, "of", p.Total, "kind", p.Kind)
	}
}

// Check refuses options that would select everything; providers call it
// before listing anything.
func (o GCOptions) Check() error {
	if o.OlderThan <= 0 {
		return platform.Usagef("--duration must be positive") // a flag, not the cloud
	}
	return nil
}

// Candidate is a resource a provider found under its tag: when it was
// made, and how to delete it. Providers list only tagged resources.
type Candidate struct {
	Kind, ID string
	Created  time.Time
	Delete   func(context.Context) error
}

// GCItem is one resource GC removed (or would remove).
type GCItem struct {
	Kind, ID string
	Age      time.Duration
}

func (i GCItem) String() string {
	return fmt.Sprintf("%s %s (%s old)", i.Kind, i.ID, i.Age.Round(time.Minute))
}

// deleteParallel bounds the deletions of one kind under way at once: a
// leaked account holds thousands of resources, and one at a time takes
// minutes; the clouds' rate limits (the api layers back off) bound it too.
const deleteParallel = 16

// Collect deletes the candidates old enough. Kinds go one after another in
// the order first listed (a provider lists what holds others first:
// instances before their disks and networks), the resources of one kind
// several at a time. It goes on past a failed deletion and reports every
// one; the items come in the order listed.
func Collect(ctx context.Context, found []Candidate, o GCOptions) ([]GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	now := o.Now()
	var kinds []string
	byKind := map[string][]Candidate{}
	var progress GCProgress
	for _, c := range found {
		// An unknown creation time is no proof of age.
		if c.Created.IsZero() || now.Sub(c.Created) < o.OlderThan {
			continue
		}
		if _, ok := byKind[c.Kind]; !ok {
			kinds = append(kinds, c.Kind)
		}
		byKind[c.Kind] = append(byKind[c.Kind], c)
		progress.Total++
	}
	var items []GCItem
	var errs []error
	var mu sync.Mutex
	for _, kind := range kinds {
		cs := byKind[kind]
		failed := make([]error, len(cs))
		if !o.DryRun {
			var g errgroup.Group
			g.SetLimit(deleteParallel)
			for i, c := range cs {
				g.Go(func() error {
					err := c.Delete(ctx)
					if err != nil {
						failed[i] = fmt.Errorf("delete %s %s: %w", c.Kind, c.ID, err)
					}
					if o.Progress != nil {
						mu.Lock()
						defer mu.Unlock()
						progress.Kind = kind
						if err != nil {
							progress.Failed++
						} else {
							progress.Done++
						}
						o.Progress(progress)
					}
					return nil
				})
			}
			g.Wait()
		}
		for i, c := range cs {
			if failed[i] != nil {
				errs = append(errs, failed[i])
				continue
			}
			items = append(items, GCItem{Kind: c.Kind, ID: c.ID, Age: now.Sub(c.Created)})
		}
	}
	return items, errors.Join(errs...)
}
