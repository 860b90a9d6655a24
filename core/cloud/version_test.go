package cloud

import "testing"

func TestCompareVersions(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"1.0.0", "1.0.0", 0},
		{"1.2.0", "1.10.0", -1}, // by number, not by text
		{"4081.2.0", "3975.2.2", 1},
		{"1.0.0-rc1", "1.0.0", -1},
		{"abc", "abd", -1}, // neither semver: by text
		{"1.0", "1.0.0", -1},
	} {
		if got := CompareVersions(tc.a, tc.b); got != tc.want {
			t.Errorf("CompareVersions(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
