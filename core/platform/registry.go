package platform

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"sync"
)

// Provider is what a provider module registers.
type Provider struct {
	// Name is the --platform value, e.g. "qemu".
	Name        string
	Description string
	// Flags is a pointer to a struct whose fields carry kong tags; kola
	// adds them to its command line (named with the provider's prefix, e.g.
	// --aws-region) and NewFlight reads the parsed values from it.
	Flags     any
	NewFlight func(ctx context.Context, opts FlightOptions) (Flight, error)
	// RemoveKept, if set, removes a machine its clusters kept (Keeper),
	// from another process than the one that kept it, and says whether it
	// was still there. Providers whose clusters keep machines set it.
	RemoveKept func(ctx context.Context, m KeptMachine) (bool, error)
	// SDK is the Go module of the cloud's SDK the provider wraps ("" for
	// none); kola version reports the version linked.
	SDK string
}

// Registry holds providers by name.
type Registry struct {
	mu        sync.Mutex
	providers map[string]Provider
}

// NewRegistry returns an empty registry; tests use their own.
func NewRegistry() *Registry { return &Registry{providers: map[string]Provider{}} }

// Default is the registry providers add themselves to from init().
var Default = NewRegistry()

// Register adds p to the default registry. It panics on a programming error
// (no name, no constructor, a name taken), which init() cannot return.
func Register(p Provider) {
	if err := Default.Register(p); err != nil {
		panic(err)
	}
}

var providerName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// Register adds p.
func (r *Registry) Register(p Provider) error {
	if !providerName.MatchString(p.Name) {
		return fmt.Errorf("register provider %q: name must match %s", p.Name, providerName)
	}
	if p.NewFlight == nil {
		return fmt.Errorf("register provider %q: NewFlight is nil", p.Name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.providers[p.Name]; dup {
		return fmt.Errorf("register provider %q: registered twice", p.Name)
	}
	r.providers[p.Name] = p
	return nil
}

// Lookup returns the provider named name or an *UnknownProviderError.
func (r *Registry) Lookup(name string) (Provider, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, ok := r.providers[name]
	if !ok {
		var known []string
		for n := range r.providers {
			known = append(known, n)
		}
		return Provider{}, &UnknownProviderError{Name: name, Known: known}
	}
	return p, nil
}

// Providers returns every provider, by name.
func (r *Registry) Providers() []Provider {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Provider, 0, len(r.providers))
	for _, p := range r.providers {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
