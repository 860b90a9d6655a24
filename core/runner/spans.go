package runner

import (
	"context"
	"sync"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
)

// MachineSpan is one machine's life in a test, for the report's
// timeline: asked for at Start, answering SSH ReadySeconds later (its
// boot), gone EndSeconds after Start (destroyed, kept, or never up).
type MachineSpan struct {
	ID           string    `json:"id"`
	Start        time.Time `json:"start"`
	ReadySeconds float64   `json:"ready_seconds,omitempty"`
	EndSeconds   float64   `json:"end_seconds"`
	// Failed: it never came up.
	Failed bool `json:"failed,omitempty"`
}

// timedCluster records when each machine of a test's cluster was asked
// for and came up; the test uses it in place of the provider's cluster
// (cluster.TestCluster only calls the Cluster methods), so machines a
// test adds later are on the timeline too.
type timedCluster struct {
	platform.Cluster
	now func() time.Time

	mu    sync.Mutex
	spans []*MachineSpan
}

func (c *timedCluster) NewMachine(ctx context.Context, ud *conf.UserData) (platform.Machine, error) {
	span := &MachineSpan{Start: c.now()}
	c.mu.Lock()
	c.spans = append(c.spans, span)
	c.mu.Unlock()
	m, err := c.Cluster.NewMachine(ctx, ud)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		span.Failed = true
		span.EndSeconds = c.now().Sub(span.Start).Seconds()
		return nil, err
	}
	span.ID = m.ID()
	span.ReadySeconds = c.now().Sub(span.Start).Seconds()
	return m, nil
}

// end closes the spans of the machines still up, at the cluster's end.
func (c *timedCluster) end() []MachineSpan {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	var out []MachineSpan
	for _, s := range c.spans {
		if !s.Failed {
			s.EndSeconds = now.Sub(s.Start).Seconds()
		}
		out = append(out, *s)
	}
	return out
}
