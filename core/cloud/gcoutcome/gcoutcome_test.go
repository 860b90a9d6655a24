package gcoutcome

import (
	"strings"
	"testing"
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
