package fault

import (
	"fmt"
	"testing"
	"time"
)

func TestDecide(t *testing.T) {
	type call struct{ name, resource string }
	tests := []struct {
		name  string
		rules []Rule
		calls []call
		// want is, per call, the effect of the failing rule or "-".
		want []string
	}{
		{"no rules", nil, []call{{"RunInstances", ""}}, []string{"-"}},
		{"skip then times",
			[]Rule{{Call: "RunInstances", Skip: 2, Times: 1, Effect: Error}},
			[]call{{"RunInstances", ""}, {"DescribeInstances", ""}, {"RunInstances", ""}, {"RunInstances", ""}, {"RunInstances", ""}},
			[]string{"-", "-", "-", "error", "-"}},
		{"pattern and resource",
			[]Rule{{Call: "compute.instances.*", Resource: "kola-*", Effect: LoseAnswer}},
			[]call{{"compute.instances.insert", "other"}, {"compute.disks.get", "kola-1"}, {"compute.instances.get", "kola-1"}},
			[]string{"-", "-", "lose-answer"}},
		{"first acting rule wins",
			[]Rule{{Call: "A", Times: 1, Effect: Throttle}, {Effect: ServerError}},
			[]call{{"A", ""}, {"A", ""}, {"B", ""}},
			[]string{"throttle", "server-error", "server-error"}},
		{"delay does not fail",
			[]Rule{{Effect: Delay, Latency: time.Millisecond}},
			[]call{{"A", ""}},
			[]string{"-"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Engine
			e.Set(tt.rules...)
			failed := 0
			for i, c := range tt.calls {
				d := e.Decide(c.name, c.resource)
				got := "-"
				if d.Fault != nil {
					got = d.Fault.Effect.String()
					failed++
				}
				if got != tt.want[i] {
					t.Errorf("call %d (%s %s): %s, want %s", i, c.name, c.resource, got, tt.want[i])
				}
			}
			if e.Injected() != failed {
				t.Errorf("Injected = %d, failed %d", e.Injected(), failed)
			}
		})
	}
}

func TestRateAndLatency(t *testing.T) {
	var e Engine
	e.Set(Rule{Effect: Delay, Latency: 50 * time.Millisecond}, Rule{Call: "Get", Rate: 0.2, Effect: Throttle})
	failed := 0
	for range 1000 {
		d := e.Decide("Get", "")
		if d.Latency != 50*time.Millisecond {
			t.Fatalf("latency %v", d.Latency)
		}
		if d.Fault != nil {
			failed++
		}
	}
	// The generator is seeded: the share is near 20 % and the same every run.
	if failed < 150 || failed > 250 {
		t.Errorf("%d of 1000 calls throttled at rate 0.2", failed)
	}
	if e.Calls("Get") != 1000 || e.Calls("Put") != 0 {
		t.Errorf("calls: %d %d", e.Calls("Get"), e.Calls("Put"))
	}
}

// A quota refusal of the third launch, with everything else slowed by
// 10 ms, as a test of a cluster's third machine would set it up.
func Example() {
	var e Engine
	e.Set(
		Rule{Effect: Delay, Latency: 10 * time.Millisecond},
		Rule{Call: "RunInstances", Skip: 2, Times: 1, Effect: Error, Status: 400, Code: "VcpuLimitExceeded", Message: "You have requested more vCPU capacity than your current vCPU limit allows."},
	)
	for i := 1; i <= 4; i++ {
		d := e.Decide("RunInstances", "")
		if d.Fault != nil {
			fmt.Printf("launch %d: %d %s after %v\n", i, d.Fault.Status, d.Fault.Code, d.Latency)
			continue
		}
		fmt.Printf("launch %d: handled after %v\n", i, d.Latency)
	}
	// Output:
	// launch 1: handled after 10ms
	// launch 2: handled after 10ms
	// launch 3: 400 VcpuLimitExceeded after 10ms
	// launch 4: handled after 10ms
}

func TestMaxInFlight(t *testing.T) {
	var e Engine
	a := e.Decide("RunInstances", "")
	b := e.Decide("RunInstances", "")
	a.Done()
	a.Done() // a second Done is harmless
	c := e.Decide("RunInstances", "")
	b.Done()
	c.Done()
	e.Decide("RunInstances", "").Done()
	if got := e.MaxInFlight("RunInstances"); got != 2 {
		t.Errorf("MaxInFlight = %d, want 2", got)
	}
}
