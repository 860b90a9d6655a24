package cloud

import (
	"context"
	"errors"
	"slices"
	"strings"
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
			var deleted []string
			cand := func(id string, age time.Duration) Candidate {
				return Candidate{Kind: "thing", ID: id, Created: now.Add(-age), Delete: func(context.Context) error {
					if id == tt.fail {
						return errors.New("refused")
					}
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
			if !slices.Equal(listed, tt.listed) || !slices.Equal(deleted, tt.deleted) {
				t.Errorf("listed %v deleted %v, want %v %v", listed, deleted, tt.listed, tt.deleted)
			}
		})
	}
	if _, err := Collect(context.Background(), nil, GCOptions{}); err == nil {
		t.Error("a zero duration was accepted")
	}
}
