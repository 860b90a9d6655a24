// Package register holds the kola test record and the registry that test
// packages add their tests to from init(). Registration never panics:
// problems (a duplicate name, no Run function, malformed userdata, a bad
// version range) are collected, each naming the test, and kola refuses to
// run until they are fixed.
package register

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-semver/semver"
	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
)

// Flag changes how the runner treats a test.
type Flag string

const (
	// NoSSHKeyInUserData keeps the flight's key out of the userdata
	// (the test checks metadata key delivery, or its userdata cannot carry
	// keys).
	NoSSHKeyInUserData Flag = "NoSSHKeyInUserData"
	// NoSSHKeyInMetadata keeps the key out of the platform's metadata.
	NoSSHKeyInMetadata Flag = "NoSSHKeyInMetadata"
	// NoEmergencyShellCheck turns off the emergency-shell console check.
	NoEmergencyShellCheck Flag = "NoEmergencyShellCheck"
	// NoKernelPanicCheck turns off the kernel panic, oops, BUG and warning
	// checks.
	NoKernelPanicCheck Flag = "NoKernelPanicCheck"
	// NoFailedUnitCheck turns off the failed systemd unit check.
	NoFailedUnitCheck Flag = "NoFailedUnitCheck"
)

var knownFlags = map[Flag]bool{NoSSHKeyInUserData: true, NoSSHKeyInMetadata: true, NoEmergencyShellCheck: true, NoKernelPanicCheck: true, NoFailedUnitCheck: true}

// NativeFunc runs on the test machine inside kolet.
type NativeFunc func() error

// Test is one kola test.
type Test struct {
	// Name is unique, e.g. "basic.ssh"; letters, digits, '.', '_', '-'.
	Name        string
	Description string
	Run         func(cluster.TestCluster)
	// ClusterSize machines are created before Run; 0 lets Run make its own.
	ClusterSize int
	// UserData goes to every machine the runner creates.
	UserData *conf.UserData
	// AdditionalDisks are empty disks by size ("1G") every machine of the
	// test's cluster gets beside its root disk; platforms that cannot
	// attach disks refuse the cluster, so such tests name their Platforms.
	AdditionalDisks []string
	// Machine is what the test asks of its machines beyond that; a
	// platform that cannot give it skips the test (see
	// platform.MachineShaper).
	Machine platform.MachineShape
	// HostPorts are ports of the host the test needs for itself (a
	// server on the host its machines reach, as NFS's 2049): tests that
	// name a port in common never run at the same time.
	HostPorts []int

	// Platforms limits the test to these platforms; ExcludePlatforms
	// leaves some out. Architectures and Distros work the same way.
	Platforms            []string
	ExcludePlatforms     []string
	Architectures        []string
	ExcludeArchitectures []string
	Distros              []string
	ExcludeDistros       []string
	Tags                 []string

	// Timeout replaces the run's default timeout for this test.
	Timeout time.Duration
	// Shared tests may share their machine with other shared tests of
	// the run (coreos-assembler's non-exclusive tests): ClusterSize 1,
	// and the runner runs those with the same userdata and disks one
	// after another, as subtests of one test, on one machine.
	Shared bool
	// Conflicts are tests a Shared test must not share a machine with.
	Conflicts []string
	// RequiredTag, if set, makes the test run only when it is asked for
	// by that tag (--tag TAG), never in a run of everything.
	RequiredTag string
	// Created is when the test was written: for its first 30 days its
	// failures only warn (a new test must not break every CI at once).
	Created time.Time

	// MinVersion (inclusive) and EndVersion (exclusive) bound the OS
	// versions the test applies to, as semver ("3033.2.0").
	MinVersion string
	EndVersion string

	Flags       []Flag
	NativeFuncs map[string]NativeFunc
}

// HasFlag reports whether the test sets f.
func (t *Test) HasFlag(f Flag) bool {
	for _, g := range t.Flags {
		if g == f {
			return true
		}
	}
	return false
}

// VersionRange returns the parsed bounds; nil where unset. Only valid for
// registered tests.
func (t *Test) VersionRange() (min, end *semver.Version) {
	if t.MinVersion != "" {
		min = semver.New(t.MinVersion)
	}
	if t.EndVersion != "" {
		end = semver.New(t.EndVersion)
	}
	return min, end
}

var (
	testName   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	nativeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	tagName    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// Validate checks a test on its own (not against other tests).
func (t *Test) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !testName.MatchString(t.Name) {
		add("name must match %s", testName)
	}
	if t.Run == nil {
		add("Run is nil")
	}
	if t.ClusterSize < 0 {
		add("ClusterSize %d is negative", t.ClusterSize)
	}
	if t.Shared && (t.ClusterSize != 1 || len(t.NativeFuncs) > 0) {
		add("a Shared test has ClusterSize 1 and no native functions")
	}
	if t.Timeout < 0 {
		add("Timeout %v is negative", t.Timeout)
	}
	if err := t.UserData.Validate(); err != nil {
		add("UserData: %w", err)
	}
	var min, end *semver.Version
	var err error
	if t.MinVersion != "" {
		if min, err = semver.NewVersion(t.MinVersion); err != nil {
			add("MinVersion %q: %v", t.MinVersion, err)
		}
	}
	if t.EndVersion != "" {
		if end, err = semver.NewVersion(t.EndVersion); err != nil {
			add("EndVersion %q: %v", t.EndVersion, err)
		}
	}
	if min != nil && end != nil && !min.LessThan(*end) {
		add("version range is empty: MinVersion %s is not below EndVersion %s", min, end)
	}
	for _, d := range t.AdditionalDisks {
		if err := platform.ValidDiskSize(d); err != nil {
			add("AdditionalDisks: %w", err)
		}
	}
	if err := t.Machine.Validate(); err != nil {
		add("Machine: %w", err)
	}
	for _, p := range t.HostPorts {
		if p < 1 || p > 65535 {
			add("HostPorts: %d is not a TCP/UDP port", p)
		}
	}
	for _, f := range t.Flags {
		if !knownFlags[f] {
			add("unknown flag %q", f)
		}
	}
	for _, tag := range t.Tags {
		if !tagName.MatchString(tag) {
			add("tag %q must match %s", tag, tagName)
		}
	}
	for name, f := range t.NativeFuncs {
		if !nativeName.MatchString(name) {
			add("native function name %q must match %s", name, nativeName)
		}
		if f == nil {
			add("native function %q is nil", name)
		}
	}
	for _, pair := range [][2][]string{{t.Platforms, t.ExcludePlatforms}, {t.Architectures, t.ExcludeArchitectures}, {t.Distros, t.ExcludeDistros}} {
		for _, a := range pair[0] {
			for _, b := range pair[1] {
				if a == b {
					add("%q is both included and excluded", a)
				}
			}
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

// Error is a registration problem of one test.
type Error struct {
	Test string
	Err  error
}

func (e *Error) Error() string {
	msg := strings.ReplaceAll(e.Err.Error(), "\n", "; ")
	return fmt.Sprintf("test %q: %s", e.Test, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Registry holds tests by name.
type Registry struct {
	mu    sync.Mutex
	tests map[string]*Test
	errs  []error
}

// NewRegistry returns an empty registry; tests of the runner use their own.
func NewRegistry() *Registry { return &Registry{tests: map[string]*Test{}} }

// Default is where test packages register from init().
var Default = NewRegistry()

// Register adds t to the default registry; see Registry.Register.
func Register(t Test) { _ = Default.Register(t) }

// Register validates and adds t. An invalid or duplicate test is not added;
// the problem is returned and also kept for Err.
func (r *Registry) Register(t Test) error {
	err := t.Validate()
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		if _, dup := r.tests[t.Name]; dup {
			err = errors.New("registered twice")
		}
	}
	if err != nil {
		e := &Error{Test: t.Name, Err: err}
		r.errs = append(r.errs, e)
		return e
	}
	tc := t
	r.tests[t.Name] = &tc
	return nil
}

// Err returns every registration problem, or nil.
func (r *Registry) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return errors.Join(r.errs...)
}

// Tests returns the registered tests sorted by name.
func (r *Registry) Tests() []*Test {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*Test, 0, len(r.tests))
	for _, t := range r.tests {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns the test named name.
func (r *Registry) Get(name string) (*Test, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.tests[name]
	return t, ok
}
