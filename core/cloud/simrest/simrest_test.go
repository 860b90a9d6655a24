package simrest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/strata-os/strata/core/cloud/fault"
)

// A tiny cloud on the loop: one counter behind a token.
func start(t *testing.T) (*httptest.Server, *fault.Engine, *int) {
	var (
		mu     sync.Mutex
		faults fault.Engine
		count  int
	)
	c := &Cloud{Mux: http.NewServeMux(), Faults: &faults, Lock: &mu,
		Resource:   func(r *http.Request) string { return r.PathValue("id") },
		Authorized: func(r *http.Request) bool { return r.Header.Get("Token") == "ok" },
		Headers:    func(w http.ResponseWriter) { w.Header().Set("Calls-Left", "9") },
		WriteError: func(w http.ResponseWriter, e *Error) {
			w.WriteHeader(e.Status)
			json.NewEncoder(w).Encode(map[string]string{"code": e.Code, "message": e.Message})
		},
		Unauthorized: Error{Status: 401, Code: "unauthorized"}, Throttled: Error{Status: 429, Code: "slow_down"},
		ServerError: Error{Status: 500, Code: "oops"}, Forbidden: Error{Status: 403, Code: "forbidden"},
	}
	c.Handle("POST /counters/{id}", "Counters.Add", func(r *http.Request, body []byte) (Answer, *Error) {
		if string(body) != "1" {
			return Answer{}, &Error{Status: 422, Code: "bad", Message: "send 1"}
		}
		count++
		return Answer{Status: 201, Body: map[string]int{"count": count}}, nil
	})
	srv := httptest.NewServer(c.Mux)
	t.Cleanup(srv.Close)
	return srv, &faults, &count
}

func TestLoop(t *testing.T) {
	srv, faults, count := start(t)
	call := func(token, body string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest("POST", srv.URL+"/counters/c1", strings.NewReader(body))
		req.Header.Set("Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp, out
	}
	for _, tc := range []struct {
		name, token, body string
		rule              *fault.Rule
		status            int
		code              string
		count             int
	}{
		{"good", "ok", "1", nil, 201, "", 1},
		{"bad token", "no", "1", nil, 401, "unauthorized", 1},
		{"refused by the handler", "ok", "2", nil, 422, "bad", 1},
		{"throttled", "ok", "1", &fault.Rule{Effect: fault.Throttle, Times: 1}, 429, "slow_down", 1},
		{"server error", "ok", "1", &fault.Rule{Effect: fault.ServerError, Times: 1}, 500, "oops", 1},
		{"answer lost after it took effect", "ok", "1", &fault.Rule{Effect: fault.LoseAnswer, Times: 1}, 500, "oops", 2},
		{"refused by a rule", "ok", "1", &fault.Rule{Call: "Counters.Add", Resource: "c1", Effect: fault.Error, Times: 1}, 403, "forbidden", 2},
	} {
		faults.Set()
		if tc.rule != nil {
			faults.Set(*tc.rule)
		}
		resp, out := call(tc.token, tc.body)
		if resp.StatusCode != tc.status || (tc.code != "" && out["code"] != tc.code) || *count != tc.count || resp.Header.Get("Calls-Left") != "9" {
			t.Errorf("%s: %d %v (count %d, headers %v), want %d %q count %d", tc.name, resp.StatusCode, out, *count, resp.Header, tc.status, tc.code, tc.count)
		}
		if tc.name == "refused by a rule" && out["message"] != "injected failure of Counters.Add" {
			t.Errorf("an injected refusal says %q", out["message"])
		}
	}
}
