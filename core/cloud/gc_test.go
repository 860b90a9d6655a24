package cloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestCollect(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		dryRun  bool
		fail    string // ID whose deletion fails
		deleted []string
		listed  []string
		wantErr bool
	}{
		{name: "deletes the old ones", deleted: []string{"old", "ancient"}, listed: []string{"old", "ancient"}},
		{name: "dry run deletes nothing", dryRun: true, listed: []string{"old", "ancient"}},
		{name: "a failure does not stop the rest", fail: "old", deleted: []string{"ancient"}, listed: []string{"ancient"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var deleted []string
			cand := func(id string, age time.Duration) Candidate {
				return Candidate{Kind: "thing", ID: id, Created: now.Add(-age), Delete: func(context.Context) error {
					if id == tt.fail {
						return errors.New("refused")
					}
					mu.Lock()
					defer mu.Unlock()
					deleted = append(deleted, id)
					return nil
				}}
			}
			found := []Candidate{cand("young", time.Hour), cand("old", 6*time.Hour), cand("edge", 5*time.Hour-time.Second), cand("ancient", 90*24*time.Hour)}
			unknown := cand("unknown", 0)
			unknown.Created = time.Time{}
			found = append(found, unknown)
			items, err := Collect(context.Background(), found, GCOptions{OlderThan: 5 * time.Hour, DryRun: tt.dryRun, Now: func() time.Time { return now }})
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if tt.fail != "" && (err == nil || !strings.Contains(err.Error(), "thing "+tt.fail)) {
				t.Errorf("error %v does not name the resource", err)
			}
			var listed []string
			for _, it := range items {
				listed = append(listed, it.ID)
			}
			// Deletions of a kind run at once, in any order.
			slices.Sort(deleted)
			want := slices.Sorted(slices.Values(tt.deleted))
			if !slices.Equal(listed, tt.listed) || !slices.Equal(deleted, want) {
				t.Errorf("listed %v deleted %v, want %v %v", listed, deleted, tt.listed, tt.deleted)
			}
		})
	}
	if _, err := Collect(context.Background(), nil, GCOptions{}); err == nil {
		t.Error("a zero duration was accepted")
	}
}

// Kinds go one after another in the order listed — nothing of the second
// kind is deleted before every one of the first is gone — and the
// resources of one kind several at a time.
func TestCollectKindsInOrderEachAtOnce(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	inFlight, maxInFlight := 0, 0
	instancesLeft := 40
	var found []Candidate
	for _, kind := range []string{"instance", "disk"} {
		for i := range 40 {
			found = append(found, Candidate{Kind: kind, ID: fmt.Sprint(i), Created: now.Add(-time.Hour), Delete: func(context.Context) error {
				mu.Lock()
				if kind == "disk" && instancesLeft > 0 {
					mu.Unlock()
					return errors.New("still attached to an instance")
				}
				inFlight++
				maxInFlight = max(maxInFlight, inFlight)
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
				mu.Lock()
				inFlight--
				if kind == "instance" {
					instancesLeft--
				}
				mu.Unlock()
				return nil
			}})
		}
	}
	items, err := Collect(context.Background(), found, GCOptions{OlderThan: time.Minute, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 80 || items[0].Kind != "instance" || items[79].Kind != "disk" {
		t.Errorf("%d items, first %v, last %v", len(items), items[0], items[len(items)-1])
	}
	if maxInFlight < 2 || maxInFlight > deleteParallel {
		t.Errorf("at most %d deletions at once, want 2..%d", maxInFlight, deleteParallel)
	}
}

// Progress is told after each deletion, one call at a time, counting up
// to every old-enough resource (the young one is not counted), failures
// apart; a dry run reports none. LogProgress logs the first and the last
// of them within its interval, and each one with no interval.
func TestCollectProgress(t *testing.T) {
	now := time.Now()
	var found []Candidate
	for i := range 50 {
		kind := "instance"
		if i >= 30 {
			kind = "disk"
		}
		found = append(found, Candidate{Kind: kind, ID: fmt.Sprint(i), Created: now.Add(-24 * time.Hour), Delete: func(context.Context) error {
			if i == 7 {
				return errors.New("refused")
			}
			return nil
		}})
	}
	found = append(found, Candidate{Kind: "disk", ID: "young", Created: now, Delete: func(context.Context) error { return nil }})
	var calls []GCProgress
	var busy sync.Mutex
	progress := func(p GCProgress) {
		if !busy.TryLock() {
			t.Error("Progress called concurrently")
			return
		}
		defer busy.Unlock()
		calls = append(calls, p)
	}
	_, err := Collect(context.Background(), found, GCOptions{OlderThan: time.Hour, Progress: progress})
	if err == nil {
		t.Fatal("the refused deletion was not reported")
	}
	if len(calls) != 50 {
		t.Fatalf("%d progress calls, want 50", len(calls))
	}
	for i, p := range calls {
		if p.Total != 50 || p.Done+p.Failed != i+1 {
			t.Fatalf("call %d: %+v, want %d of 50 counted", i, p, i+1)
		}
	}
	if last := calls[49]; last.Failed != 1 || last.Done != 49 || last.Kind != "disk" {
		t.Errorf("last call %+v, want 49 done, 1 failed, on disks", last)
	}
	calls = nil
	if _, err := Collect(context.Background(), found, GCOptions{OlderThan: time.Hour, DryRun: true, Progress: progress}); err != nil || len(calls) != 0 {
		t.Errorf("dry run: %v, %d progress calls", err, len(calls))
	}

	for _, tc := range []struct {
		interval time.Duration
		lines    int
	}{{time.Hour, 2}, {0, 50}} {
		var buf strings.Builder
		log := slog.New(slog.NewTextHandler(&buf, nil))
		if _, err := Collect(context.Background(), found, GCOptions{OlderThan: time.Hour, Progress: LogProgress(log, tc.interval)}); err == nil {
			t.Fatal("the refused deletion was not reported")
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != tc.lines || !strings.Contains(lines[len(lines)-1], "deleted=49 failed=1 of=50") {
			t.Errorf("interval %v: %d lines ending %q, want %d ending with the total", tc.interval, len(lines), lines[len(lines)-1], tc.lines)
		}
	}
}
