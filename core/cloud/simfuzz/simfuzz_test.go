package simfuzz

import (
	"net/http"
	"testing"
)

// A handler that panics, answers a status a client cannot read, or
// refuses without a body is reported; one that behaves is not.
func TestServe(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		bad  bool
	}{
		{"behaves", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no such thing", 404) }, false},
		{"silent refusal", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(400) }, true},
		{"odd status", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(999) }, true},
	} {
		ft := &fakeT{TB: t}
		Serve(ft, tc.h, "GET", "/x", nil, nil)
		if ft.failed != tc.bad {
			t.Errorf("%s: reported %v, want %v", tc.name, ft.failed, tc.bad)
		}
	}
	if rec := Serve(t, http.NotFoundHandler(), "GET", "no-slash", nil, nil); rec != nil {
		t.Error("a target without a leading slash was sent")
	}
	if Method(7) != http.MethodPost {
		t.Errorf("Method(7) = %s", Method(7))
	}
}

type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Helper()               {}
