package api_test

import (
	"bytes"
	"context"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/packet/api"
	"github.com/strata-os/strata/providers/packet/sim"
)

func connect(t *testing.T) (*sim.Server, *api.Client) {
	t.Helper()
	s := sim.New(sim.Options{})
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddToken("secret-key-77ab")
	c, err := api.New(api.Options{APIKey: "secret-key-77ab", Project: s.AddProject("p"), Endpoint: srv.URL + sim.Prefix,
		MaxRetries: 5, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// packngo's debug dumps (PACKNGO_DEBUG) go to the standard logger: the
// key is never in them.
func TestDebugDumpsHoldNoKey(t *testing.T) {
	t.Setenv("PACKNGO_DEBUG", "1")
	var buf bytes.Buffer
	log.SetOutput(&buf)
	defer log.SetOutput(nil)
	_, c := connect(t)
	if err := c.CheckProject(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "X-Auth-Token") || strings.Contains(buf.String(), "secret-key-77ab") {
		t.Errorf("debug dump:\n%s", buf.String())
	}
}

// Reads and deletes are retried through 5xx and 429; a call cut short
// by its context says so.
func TestRetries(t *testing.T) {
	s, c := connect(t)
	ctx := context.Background()
	s.Faults().Set(fault.Rule{Call: "Devices.List", Times: 3, Effect: fault.ServerError}, fault.Rule{Call: "SSHKeys.ProjectList", Times: 3, Effect: fault.Throttle})
	if _, err := c.Devices(ctx, ""); err != nil {
		t.Errorf("list through 3 server errors: %v", err)
	}
	if _, err := c.Keys(ctx); err != nil {
		t.Errorf("list through 3 throttles: %v", err)
	}
	s.Faults().Set(fault.Rule{Call: "Devices.List", Effect: fault.Error, Status: 403, Message: "You are not authorized to view this project"})
	_, err := c.Devices(ctx, "")
	if err == nil || !strings.Contains(err.Error(), "403 Forbidden: You are not authorized to view this project") || !api.IsTerminal(err) {
		t.Errorf("a refusal: %v", err)
	}
	s.Faults().Set(fault.Rule{Call: "Devices.List", Effect: fault.Delay, Latency: time.Second})
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := c.Devices(cctx, ""); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Errorf("a call past its deadline: %v", err)
	}
}
