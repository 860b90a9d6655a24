// Package fault is the rule engine strata's cloud simulators share to
// misbehave on purpose, in the manner of govmomi's simulator fault rules:
// a test says which calls (by the simulator's name for them, and
// optionally by resource) fail, after how many good ones, how many times,
// how often and how, or are slowed down. Each simulator asks Decide once
// per request and answers a fault in its own cloud's wire format, so one
// rule means the same thing against every cloud.
package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path"
	"sync"
	"time"
)

// Effect is how a matching call misbehaves.
type Effect int

const (
	// Error answers the call with the rule's Status, Code and Message
	// instead of handling it: a refusal the caller should not retry
	// (quota, permission) when Status is a 4xx.
	Error Effect = iota
	// Throttle answers with the cloud's rate-limit error (EC2's 503
	// RequestLimitExceeded, Google's 429 rateLimitExceeded).
	Throttle
	// ServerError answers with the cloud's transient 5xx.
	ServerError
	// LoseAnswer handles the call, then answers with the cloud's 5xx, as
	// when a connection drops after the cloud acted: the caller cannot
	// tell that it took effect, and a retry must not do it twice.
	LoseAnswer
	// Delay only slows the call down by the rule's Latency.
	Delay
)

func (e Effect) String() string {
	switch e {
	case Error:
		return "error"
	case Throttle:
		return "throttle"
	case ServerError:
		return "server-error"
	case LoseAnswer:
		return "lose-answer"
	case Delay:
		return "delay"
	}
	return fmt.Sprintf("Effect(%d)", int(e))
}

// Rule selects calls and says what happens to them.
type Rule struct {
	// Call matches the simulator's name for a call (EC2's action, like
	// "RunInstances"; Google's method, like "compute.instances.insert"),
	// as a path.Match pattern; empty matches every call.
	Call string
	// Resource, when set, matches the name or ID of the resource the call
	// is about (a path.Match pattern).
	Resource string
	// Skip lets this many matching calls through before the rule acts.
	Skip int
	// Times bounds how many calls the rule acts on; 0 is no bound.
	Times int
	// Rate is the share of matching calls the rule acts on (0 or 1: all).
	Rate float64
	// Latency delays every call the rule acts on.
	Latency time.Duration
	Effect  Effect
	// Status, Code and Message are the answer of an Error rule (the
	// simulator fills in what is left empty).
	Status        int
	Code, Message string
	// Hook, if set, is called each time the rule acts, as the call
	// arrives: a test learns that a call is under way (and may, say,
	// cancel the caller's context in the middle of it).
	Hook func()
}

func (r Rule) String() string {
	s := r.Effect.String()
	if r.Call != "" {
		s += " " + r.Call
	}
	if r.Resource != "" {
		s += " on " + r.Resource
	}
	return s
}

// rule is a Rule and how far it has got.
type rule struct {
	Rule
	seen, acted int
}

// Engine holds a simulator's rules. The zero value has none; it is safe
// for concurrent use.
type Engine struct {
	mu       sync.Mutex
	rules    []*rule
	rng      *rand.Rand
	calls    map[string]int
	injected int
	// inFlight and maxInFlight count calls between Decide and Done.
	inFlight, maxInFlight map[string]int
}

// Set replaces the rules.
func (e *Engine) Set(rules ...Rule) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules = nil
	for _, r := range rules {
		e.rules = append(e.rules, &rule{Rule: r})
	}
}

// Add appends a rule; earlier rules are asked first.
func (e *Engine) Add(r Rule) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rules = append(e.rules, &rule{Rule: r})
}

// Decision is what a simulator does with one call.
type Decision struct {
	// Latency is how long to wait before answering.
	Latency time.Duration
	// Fault is the rule that fails the call, nil if the call is handled
	// normally (perhaps after Latency).
	Fault *Rule
	// Done ends the call (for MaxInFlight); simulators defer it.
	Done func()
}

// Wait sleeps the decision's latency, or until ctx ends.
func (d Decision) Wait(ctx context.Context) {
	if d.Latency <= 0 {
		return
	}
	t := time.NewTimer(d.Latency)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// Decide counts the call and returns what to do with it: the first rule
// that acts on it fails it (latencies of the delaying rules before it add
// up).
func (e *Engine) Decide(call, resource string) Decision {
	var hooks []func()
	defer func() {
		for _, h := range hooks {
			h()
		}
	}()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.calls == nil {
		e.calls, e.inFlight, e.maxInFlight = map[string]int{}, map[string]int{}, map[string]int{}
	}
	e.calls[call]++
	e.inFlight[call]++
	e.maxInFlight[call] = max(e.maxInFlight[call], e.inFlight[call])
	var once sync.Once
	done := func() {
		once.Do(func() {
			e.mu.Lock()
			e.inFlight[call]--
			e.mu.Unlock()
		})
	}
	if e.rng == nil {
		// Fixed, so a failing run fails the same way again.
		e.rng = rand.New(rand.NewPCG(1, 2))
	}
	d := Decision{Done: done}
	for _, r := range e.rules {
		if !r.matches(call, resource) {
			continue
		}
		r.seen++
		if r.seen <= r.Skip || (r.Times > 0 && r.acted >= r.Times) {
			continue
		}
		if r.Rate > 0 && r.Rate < 1 && e.rng.Float64() >= r.Rate {
			continue
		}
		r.acted++
		d.Latency += r.Latency
		if r.Hook != nil {
			hooks = append(hooks, r.Hook)
		}
		if r.Effect == Delay {
			continue
		}
		e.injected++
		f := r.Rule
		d.Fault = &f
		return d
	}
	return d
}

func (r *rule) matches(call, resource string) bool {
	if r.Call != "" {
		if ok, _ := path.Match(r.Call, call); !ok {
			return false
		}
	}
	if r.Resource != "" {
		if ok, _ := path.Match(r.Resource, resource); !ok {
			return false
		}
	}
	return true
}

// Calls reports how many calls named call were decided on, failed or not.
func (e *Engine) Calls(call string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[call]
}

// MaxInFlight reports the most calls named call that were ever under way
// at once (from Decide to Done): whether a client really overlaps them.
func (e *Engine) MaxInFlight(call string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.maxInFlight[call]
}

// InFlight reports how many calls named call are under way now (from
// Decide to Done).
func (e *Engine) InFlight(call string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.inFlight[call]
}

// Injected reports how many calls a rule failed.
func (e *Engine) Injected() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.injected
}

// Chaos is the rules of a noisy day: throttling and server errors at the
// given shares of every call.
func Chaos(throttle, serverErrors float64) []Rule {
	var rules []Rule
	if throttle > 0 {
		rules = append(rules, Rule{Effect: Throttle, Rate: throttle})
	}
	if serverErrors > 0 {
		// Of the calls the throttle let through.
		rules = append(rules, Rule{Effect: ServerError, Rate: serverErrors})
	}
	return rules
}
