// Package sim is an in-process Compute Engine and Cloud Storage that speak
// the real wire protocol (JSON over REST, Compute Engine's operations,
// Cloud Storage's multipart and resumable uploads, OAuth's token endpoint)
// for the subset strata uses, so Google's own API client is tested against
// it. It is stateful and behaves like the cloud where tests need it to:
// inserts and deletes answer an operation that finishes a few polls later,
// instances go PROVISIONING → STAGING → RUNNING, lists are paginated and
// filtered by label, unknown names give 404s, and a test can inject
// throttling, server errors, latency and failing calls.
package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"
)

// Options shape the simulator's behaviour.
type Options struct {
	// Project and Zone are the ones served (default "strata-sim" and
	// "us-central1-a"); other projects hold only images added with
	// AddImage.
	Project, Zone string
	// OperationPolls is how many times an operation is asked after
	// before it is done (default 2); StartingGets how many gets see an
	// instance STAGING before it is RUNNING (default 1).
	OperationPolls, StartingGets int
	// PageSize bounds list pages when the caller asks for more or for
	// none (default 5, so tests page).
	PageSize int
	// Now is the clock for creation times (default time.Now).
	Now func() time.Time
	// RequireAuth refuses calls without a bearer token the simulator's
	// token endpoint (/token) issued.
	RequireAuth bool
}

// Faults are injected into requests; a test changes them at any time.
type Faults struct {
	// ThrottleRate is the share of requests answered 429
	// rateLimitExceeded; ServerErrorRate the share answered 503
	// backendError.
	ThrottleRate, ServerErrorRate float64
	// Latency delays every answer.
	Latency time.Duration
	// FailCall makes the next FailCount calls of a method (as Calls names
	// them, e.g. "compute.instances.insert") fail with FailStatus and
	// FailReason.
	// CorruptUploads flips a byte of every upload as it arrives, as a
	// broken network path would.
	CorruptUploads bool
	FailCall       string
	FailStatus     int
	FailReason     string
	FailCount      int
}

// Server is one simulated project and zone, with Cloud Storage.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu         sync.Mutex
	faults     Faults
	rng        *rand.Rand
	seq        uint64
	instances  map[string]*Instance
	disks      map[string]*Disk
	images     map[string]*Image // by project/name
	networks   map[string]bool
	operations map[string]*operation
	requests   map[string]string // requestId → operation name
	buckets    map[string]*bucket
	uploads    map[string]*upload
	tokens     map[string]string // access token → account
	calls      map[string]int
	injected   int
}

// New returns a simulator with one network, "default", and nothing else.
func New(opts Options) *Server {
	if opts.Project == "" {
		opts.Project = "strata-sim"
	}
	if opts.Zone == "" {
		opts.Zone = "us-central1-a"
	}
	if opts.OperationPolls == 0 {
		opts.OperationPolls = 2
	}
	if opts.StartingGets == 0 {
		opts.StartingGets = 1
	}
	if opts.PageSize == 0 {
		opts.PageSize = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:       opts,
		rng:        rand.New(rand.NewPCG(1, 2)),
		instances:  map[string]*Instance{},
		disks:      map[string]*Disk{},
		images:     map[string]*Image{},
		networks:   map[string]bool{"default": true},
		operations: map[string]*operation{},
		requests:   map[string]string{},
		buckets:    map[string]*bucket{},
		uploads:    map[string]*upload{},
		tokens:     map[string]string{},
		calls:      map[string]int{},
	}
	s.routes()
	return s
}

// Start serves the simulator on a loopback port.
func (s *Server) Start() *httptest.Server { return httptest.NewServer(s) }

// SetFaults replaces the injected faults.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Calls reports how many requests of a method the simulator received,
// including those it failed on purpose.
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

// Injected reports how many requests were answered with an injected fault.
func (s *Server) Injected() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.injected
}

// AddNetwork adds a network to the project.
func (s *Server) AddNetwork(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.networks[name] = true
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// handler serves one method; it runs with the lock held, on the whole
// request body.
type handler func(r *http.Request, body []byte) (any, *apiError)

// handle registers a method under its pattern, with fault injection,
// authentication and the lock around it.
func (s *Server) handle(pattern, method string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, &apiError{http.StatusBadRequest, "badRequest", "reading the body: " + err.Error()})
			return
		}
		s.mu.Lock()
		s.calls[method]++
		f := s.faults
		roll := s.rng.Float64()
		fail := f.FailCall == method && f.FailCount > 0
		if fail {
			s.faults.FailCount--
		}
		if fail || roll < f.ThrottleRate+f.ServerErrorRate {
			s.injected++
		}
		authErr := s.authorize(r)
		s.mu.Unlock()
		if f.Latency > 0 {
			time.Sleep(f.Latency)
		}
		switch {
		case authErr != nil:
			writeError(w, authErr)
			return
		case fail:
			writeError(w, &apiError{f.FailStatus, f.FailReason, "injected failure of " + method})
			return
		case roll < f.ThrottleRate:
			writeError(w, &apiError{http.StatusTooManyRequests, "rateLimitExceeded", "Rate Limit Exceeded"})
			return
		case roll < f.ThrottleRate+f.ServerErrorRate:
			writeError(w, &apiError{http.StatusServiceUnavailable, "backendError", "Backend Error"})
			return
		}
		s.mu.Lock()
		resp, aerr := h(r, body)
		s.mu.Unlock()
		if aerr != nil {
			writeError(w, aerr)
			return
		}
		switch resp := resp.(type) {
		case nil:
			w.WriteHeader(http.StatusNoContent)
		case rawResponse:
			for k, v := range resp.header {
				w.Header()[k] = v
			}
			w.WriteHeader(resp.status)
			w.Write(resp.body)
		default:
			w.Header().Set("Content-Type", "application/json; charset=UTF-8")
			json.NewEncoder(w).Encode(resp)
		}
	})
}

// rawResponse is an answer that is not a JSON resource.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// apiError is Google's error answer.
type apiError struct {
	status  int
	reason  string
	message string
}

func notFound(format string, args ...any) *apiError {
	return &apiError{http.StatusNotFound, "notFound", fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "invalid", fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"code": e.status, "message": e.message,
		"errors": []map[string]string{{"domain": "global", "reason": e.reason, "message": e.message}},
	}})
}

// decode reads a JSON request body.
func decode(body []byte, v any) *apiError {
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(v); err != nil {
		return &apiError{http.StatusBadRequest, "parseError", "This API does not support parsing form-encoded input: " + err.Error()}
	}
	return nil
}

func (s *Server) nextID() uint64 {
	s.seq++
	return 1000000000000000000 + s.seq
}

func (s *Server) timestamp() string { return s.opts.Now().Format(time.RFC3339Nano) }

// page cuts one page out of a list, the way Google's lists do.
func page[T any](s *Server, r *http.Request, items []T) ([]T, string, *apiError) {
	size := s.opts.PageSize
	if m, err := strconv.Atoi(r.URL.Query().Get("maxResults")); err == nil && m > 0 && m < size {
		size = m
	}
	start := 0
	if tok := r.URL.Query().Get("pageToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(items) {
			return nil, "", invalid("Invalid value for pageToken: %q", tok)
		}
		start = n
	}
	end := min(start+size, len(items))
	next := ""
	if end < len(items) {
		next = strconv.Itoa(end)
	}
	return items[start:end], next, nil
}
