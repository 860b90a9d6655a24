package harness

import "time"

// Status is the outcome of a test.
type Status string

const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Result is what a test left behind when it finished.
type Result struct {
	Name     string
	Status   Status
	TimedOut bool
	Start    time.Time
	Duration time.Duration
	// Messages are the failure messages (Error, Fatal, timeout, panic) or the
	// skip reason, in the order they happened.
	Messages []string
	// Output is every line the test logged, failures included.
	Output   []string
	Subtests []*Result
}
