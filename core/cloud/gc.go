package cloud

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/strata-os/strata/core/platform"
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

// Collect deletes the candidates old enough, in order (a provider lists
// what holds others first: instances before their disks). It goes on
// past a failed deletion and reports every one.
func Collect(ctx context.Context, found []Candidate, o GCOptions) ([]GCItem, error) {
	if err := o.Check(); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	now := o.Now()
	var items []GCItem
	var errs []error
	for _, c := range found {
		age := now.Sub(c.Created)
		// An unknown creation time is no proof of age.
		if c.Created.IsZero() || age < o.OlderThan {
			continue
		}
		if !o.DryRun {
			if err := c.Delete(ctx); err != nil {
				errs = append(errs, fmt.Errorf("delete %s %s: %w", c.Kind, c.ID, err))
				continue
			}
		}
		items = append(items, GCItem{Kind: c.Kind, ID: c.ID, Age: age})
	}
	return items, errors.Join(errs...)
}
