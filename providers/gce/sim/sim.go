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
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/qemu/box"
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
	// Box, if set, boots instances of images made from uploaded disks
	// (boot.go).
	Box *box.Box
	// Logger gets a line per request a booted guest makes to its
	// metadata server (default: none).
	Logger *slog.Logger
}

// Server is one simulated project and zone, with Cloud Storage.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu         sync.Mutex
	faults     fault.Engine
	corrupting bool
	seq        uint64
	instances  map[string]*Instance
	inserted   []string
	disks      map[string]*Disk
	images     map[string]*Image // by project/name
	networks   map[string]bool
	operations map[string]*operation
	requests   map[string]string // requestId → operation name
	buckets    map[string]*bucket
	uploads    map[string]*upload
	tokens     map[string]string // access token → account
}

// New returns a simulator with one network, "default", and nothing else.
func New(opts Options) *Server {
	if opts.Project == "" {
		opts.Project = "strata-sim"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
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
		instances:  map[string]*Instance{},
		disks:      map[string]*Disk{},
		images:     map[string]*Image{},
		networks:   map[string]bool{"default": true},
		operations: map[string]*operation{},
		requests:   map[string]string{},
		buckets:    map[string]*bucket{},
		uploads:    map[string]*upload{},
		tokens:     map[string]string{},
	}
	s.routes()
	return s
}

// Start serves the simulator on a loopback port.
func (s *Server) Start() *httptest.Server { return httptest.NewServer(s) }

// Faults are the rules this simulator misbehaves by; calls are named by
// their Google API method ("compute.instances.insert",
// "storage.objects.insert") and resources by name. Throttle answers 429
// rateLimitExceeded, server errors 503 backendError, and Error rules
// default to 403 forbidden.
func (s *Server) Faults() *fault.Engine { return &s.faults }

// CorruptUploads makes every upload arrive with a byte flipped, as a
// broken network path would deliver it.
func (s *Server) CorruptUploads(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.corrupting = on
}

// Calls reports how many requests of a method the simulator received,
// including those it failed on purpose.
func (s *Server) Calls(method string) int { return s.faults.Calls(method) }

// Injected reports how many requests were answered with an injected fault.
func (s *Server) Injected() int { return s.faults.Injected() }

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

// streamHandler serves a method whose body may be as big as a disk image:
// it reads the body itself, and takes the lock itself where it needs it.
type streamHandler func(r *http.Request) (any, *apiError)

// handle registers a method under its pattern, with fault injection,
// authentication and the lock around it.
func (s *Server) handle(pattern, method string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) { s.serveBuffered(w, r, method, h) })
}

// handleStream registers a streamHandler, with fault injection and
// authentication around it.
func (s *Server) handleStream(pattern, method string, h streamHandler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, method, resourceOf(r, nil), func() (any, *apiError) { return h(r) })
	})
}

func (s *Server) serveBuffered(w http.ResponseWriter, r *http.Request, method string, h handler) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, &apiError{http.StatusBadRequest, "badRequest", "reading the body: " + err.Error()})
		return
	}
	s.serve(w, r, method, resourceOf(r, body), func() (any, *apiError) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return h(r, body)
	})
}

// serve answers a call to method about resource: authentication and the
// faults a test injected first, then the call itself.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, method, resource string, call func() (any, *apiError)) {
	d := s.faults.Decide(method, resource)
	defer d.Done()
	s.mu.Lock()
	authErr := s.authorize(r)
	s.mu.Unlock()
	d.Wait(r.Context())
	if authErr != nil || d.Fault != nil && d.Fault.Effect != fault.LoseAnswer {
		// An answer before the body is read leaves the client's
		// transport still sending it after the client has its answer,
		// and a client that then reuses the body's buffer (the API
		// client's resumable upload does) races with it.
		io.Copy(io.Discard, r.Body)
	}
	if authErr != nil {
		writeError(w, authErr)
		return
	}
	lost := false
	if f := d.Fault; f != nil {
		switch f.Effect {
		case fault.Throttle:
			writeError(w, &apiError{http.StatusTooManyRequests, "rateLimitExceeded", "Rate Limit Exceeded"})
			return
		case fault.ServerError:
			writeError(w, &apiError{http.StatusServiceUnavailable, "backendError", "Backend Error"})
			return
		case fault.LoseAnswer:
			lost = true
		default:
			e := &apiError{f.Status, f.Code, f.Message}
			if e.status == 0 {
				e.status = http.StatusForbidden
			}
			if e.reason == "" {
				e.reason = "forbidden"
			}
			if e.message == "" {
				e.message = "injected failure of " + method
			}
			writeError(w, e)
			return
		}
	}
	resp, aerr := call()
	if raw, ok := resp.(rawResponse); ok && raw.content != nil {
		defer raw.content.Close()
	}
	if lost {
		// It happened; the caller is told it may not have.
		writeError(w, &apiError{http.StatusServiceUnavailable, "backendError", "Backend Error"})
		return
	}
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
		if resp.content != nil {
			w.Header().Set("Content-Length", strconv.FormatInt(resp.length, 10))
			w.WriteHeader(resp.status)
			io.Copy(w, resp.content)
			return
		}
		w.WriteHeader(resp.status)
		w.Write(resp.body)
	default:
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		json.NewEncoder(w).Encode(withoutNulls(resp))
	}
}

// withoutNulls is v as Google's APIs would send it: a field without a
// value (no labels, no metadata) is left out, never sent as null, which
// some clients refuse where they expect a map or a list.
func withoutNulls(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var generic any
	if json.Unmarshal(b, &generic) != nil {
		return v
	}
	return dropNulls(generic)
}

func dropNulls(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if x == nil {
				delete(v, k)
				continue
			}
			v[k] = dropNulls(x)
		}
	case []any:
		for i, x := range v {
			v[i] = dropNulls(x)
		}
	}
	return v
}

// resourceOf is the name a request is about, for fault rules: from the
// path, or the body of an insert.
func resourceOf(r *http.Request, body []byte) string {
	for _, k := range []string{"name", "object", "family", "bucket"} {
		if v := r.PathValue(k); v != "" {
			return v
		}
	}
	var named struct{ Name string }
	if json.Unmarshal(body, &named) == nil && named.Name != "" {
		return named.Name
	}
	return r.URL.Query().Get("name")
}

// rawResponse is an answer that is not a JSON resource: body, or length
// bytes of content (an object's, read after the lock is let go; serve
// closes it).
type rawResponse struct {
	status  int
	header  http.Header
	body    []byte
	content io.ReadCloser
	length  int64
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
