package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-os/strata/providers/gce/api"
	"github.com/strata-os/strata/providers/gce/sim"
)

// Wait uses operations.wait, one call per operation where polling took
// an interval each; a wait the service holds past our round is asked
// again, not reported as a failure.
func TestWaitUsesOperationsWait(t *testing.T) {
	defer api.SetWaitRound(100 * time.Millisecond)()
	s := sim.New(sim.Options{OperationPolls: 3})
	var waits, gets, held atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/wait"):
			if waits.Add(1) == 1 {
				// The service holds the first wait past the round.
				held.Add(1)
				<-r.Context().Done()
				return
			}
		case strings.Contains(r.URL.Path, "/operations/"):
			gets.Add(1)
		}
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	s.AddBucket("kola")
	s.AddObject("kola", "flatcar.tar.gz", []byte{0x1f, 0x8b, 8, 0}, nil, time.Now())
	c, err := api.New(context.Background(), api.Options{Project: "strata-sim", Zone: "us-central1-a", Endpoint: srv.URL,
		MaxBackoff: 20 * time.Millisecond, MaxAttempts: 20, CallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	op, err := c.CreateImage(ctx, api.ImageSpec{Name: "flatcar-4081", SourceURI: "gs://kola/flatcar.tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	// An hour between polls: a Wait that polled would not come back.
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Wait(wctx, op, time.Hour); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if held.Load() != 1 || waits.Load() != 2 || gets.Load() != 0 {
		t.Errorf("held %d, waits %d, gets %d; want the first wait held, one more wait, no polls", held.Load(), waits.Load(), gets.Load())
	}
	for _, img := range s.Images() {
		if img.Name == "flatcar-4081" && img.Status != "READY" {
			t.Errorf("image after Wait: %+v", img)
		}
	}
}
