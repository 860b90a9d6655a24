// Package simfuzz drives a simulator's HTTP handler with the requests a
// fuzzer makes, in process, so that every simulator's request decoding
// is fuzzed the same way: no request may panic the simulator, every
// answer has a status a client can read, and every refusal says why.
package simfuzz

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Methods are the methods a fuzzed request may have, by index.
var Methods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead}

// Method is Methods[i], wrapped around.
func Method(i uint8) string { return Methods[int(i)%len(Methods)] }

// Serve sends one request to h and checks the answer: a status from 100
// to 599, and a body with any 4xx or 5xx answer (but to HEAD). A target
// Go cannot put in a request is not sent. It returns the recorder, for
// a caller's checks of its own.
func Serve(t testing.TB, h http.Handler, method, target string, body []byte, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req, err := http.NewRequest(method, "http://sim.invalid"+target, bytes.NewReader(body))
	if err != nil || req.URL.Path == "" || target == "" || target[0] != '/' {
		return nil
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if len(body) > 0 && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	switch {
	case rec.Code < 100 || rec.Code > 599:
		t.Errorf("%s %s: status %d", method, target, rec.Code)
	case rec.Code >= 400 && method != http.MethodHead && rec.Body.Len() == 0:
		t.Errorf("%s %s: refused (%d) without saying why", method, target, rec.Code)
	}
	return rec
}
