package sim

import (
	"crypto/md5"
	"hash/crc32"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cloud/simblob"
)

// Whatever the writer does — append, send a chunk again over what was
// hashed, drop a refused one — the sums are those of the bytes the blob
// ends up with.
func TestLagHash(t *testing.T) {
	type step struct {
		cut    int64 // cut here first (-1: no cut)
		append string
		settle bool // wait for the hashes to catch up before going on
	}
	for _, tc := range []struct {
		name  string
		steps []step
		want  string
	}{
		{"appends", []step{{-1, "first ", false}, {-1, "second ", false}, {-1, "third", false}}, "first second third"},
		{"a chunk again after it was hashed", []step{{-1, "first ", true}, {-1, "second", true}, {6, "SECOND", false}}, "first SECOND"},
		{"a chunk again before it was hashed", []step{{-1, "first ", false}, {-1, "second", false}, {6, "SECOND", false}}, "first SECOND"},
		{"back to the start", []step{{-1, "first ", true}, {0, "again", false}}, "again"},
		{"a refused chunk dropped", []step{{-1, "kept", true}, {-1, "refused", false}, {4, "", false}}, "kept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := simblob.New()
			if err != nil {
				t.Fatal(err)
			}
			defer b.Release()
			h := newLagHash(b)
			for _, st := range tc.steps {
				if st.cut >= 0 {
					h.cut(st.cut)
					if err := b.Truncate(st.cut); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := b.Append(strings.NewReader(st.append)); err != nil {
					t.Fatal(err)
				}
				h.advance(b.Size())
				if st.settle {
					h.sums()
				}
			}
			sum, crc, err := h.sums()
			if err != nil {
				t.Fatal(err)
			}
			if sum != md5.Sum([]byte(tc.want)) || crc != crc32.Checksum([]byte(tc.want), castagnoli) {
				t.Errorf("sums are not those of %q", tc.want)
			}
		})
	}
}
