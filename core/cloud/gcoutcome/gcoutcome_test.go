package gcoutcome

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestCheck(t *testing.T) {
	gone, keep := []string{"disk a", "disk b"}, []string{"disk c", "image d"}
	for _, tc := range []struct {
		exists []string
		want   string // "" for no error
	}{
		{[]string{"disk c", "image d"}, ""},
		{[]string{"disk c", "image d", "disk x"}, ""},
		{[]string{"disk c"}, "1 resources that must stay are gone (first [image d]); 0 old ones"},
		{[]string{"disk b", "disk c", "image d", "disk a"}, "0 resources that must stay are gone (first []); 2 old ones of strata's stay (first [disk a disk b])"},
	} {
		exists := map[string]bool{}
		for _, r := range tc.exists {
			exists[r] = true
		}
		err := Check(exists, gone, keep)
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("exists %v: %v, want %q", tc.exists, err, tc.want)
		}
	}
}

// Of every four members, one is ours and old (it goes), one ours and
// young, two another team's: what Check holds a GC to.
func TestPopulation(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	ours := map[string]string{"created-by": "strata"}
	p := &Population{Now: now, Ours: ours}
	exists := map[string]bool{}
	for i := range 8 {
		labels, created := p.Member(i)
		isOurs, old := labels["created-by"] == "strata", now.Sub(created) > 24*time.Hour
		r := fmt.Sprintf("disk %d", i)
		p.Planted(i, r)
		if isOurs && old {
			continue // a correct GC deleted it
		}
		exists[r] = true
	}
	if p.Deletions() != 2 {
		t.Errorf("Deletions = %d, want 2 of 8", p.Deletions())
	}
	if err := p.Check(exists); err != nil {
		t.Errorf("a GC that deleted exactly ours older than a day: %v", err)
	}
	exists["disk 0"] = true
	delete(exists, "disk 2") // ours but young
	if err := p.Check(exists); err == nil || !strings.Contains(err.Error(), "first [disk 2]") || !strings.Contains(err.Error(), "first [disk 0]") {
		t.Errorf("a GC that kept an old one and deleted a young one: %v", err)
	}
}
