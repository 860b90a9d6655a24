// Package sim is an in-process Equinix Metal API (v1) for the parts
// strata uses — a project, its devices (queued → provisioning → active
// over a few reads), its SSH keys — speaking its wire protocol (JSON over
// REST with an X-Auth-Token), so that packngo, the Go client strata's
// packet provider is built on, is tested against it unchanged. Equinix
// shut the public service down on 2026-06-30; the simulator stands for
// the API-compatible deployments that remain. It behaves like the API
// where clients depend on it: errors are {"errors": [...]}, device lists
// page with meta.next, every answer carries the X-RateLimit headers and a
// throttled call is a 429, unknown IDs are 404s, and it can serve each
// device's serial-over-SSH (SOS) console. Faults come from the shared
// engine (core/cloud/fault), with calls named after packngo's services
// ("Devices.Create", "SSHKeys.Delete").
package sim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/cloud/simrest"
	"github.com/strata-os/strata/core/sshclient/sshtest"
)

// Options shape the simulator.
type Options struct {
	// ActiveGets is how many reads see a new device before it is active:
	// the first half queued, the rest provisioning (default 2).
	ActiveGets int
	// PageSize bounds device list pages (default 5, so that clients
	// page; the API's own default is 10).
	PageSize int
	// RateLimit is the calls the rate-limit headers count down from
	// (default 5000).
	RateLimit int
	// Now is the clock for creation times (default time.Now).
	Now func() time.Time
}

// Server is one simulated Equinix Metal organisation.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu        sync.Mutex
	faults    fault.Engine
	tokens    map[string]bool
	projects  map[string]string // ID → name
	devices   map[string]*Device
	launched  []string
	keys      map[string]*Key
	calls     int
	seq       int
	sosAddr   string // where device consoles are served, if they are
	sosServer *sshtest.Server
}

// Prefix is the path the API is served under, as api.equinix.com serves
// it: clients take the simulator's URL plus Prefix as their base URL.
const Prefix = "/metal/v1"

// New returns a simulator with no token, project, device or key.
func New(opts Options) *Server {
	if opts.ActiveGets == 0 {
		opts.ActiveGets = 2
	}
	if opts.PageSize == 0 {
		opts.PageSize = 5
	}
	if opts.RateLimit == 0 {
		opts.RateLimit = 5000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, tokens: map[string]bool{}, projects: map[string]string{}, devices: map[string]*Device{}, keys: map[string]*Key{}}
	s.routes()
	return s
}

// Start serves the simulator on a loopback port.
func (s *Server) Start() *httptest.Server { return httptest.NewServer(s) }

// ServeHTTP answers one call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// AddToken makes an API key valid.
func (s *Server) AddToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = true
}

// AddProject makes a project and returns its ID.
func (s *Server) AddProject(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := uuid()
	s.projects[id] = name
	return id
}

// Faults are the rules the simulator misbehaves by. Calls are named after
// packngo's services: "Projects.Get", "Devices.Create", "Devices.Get",
// "Devices.List", "Devices.Delete", "SSHKeys.Create", "SSHKeys.ProjectList",
// "SSHKeys.Get", "SSHKeys.Delete"; resources by ID. Throttle answers 429,
// server errors 500 (503 for a third of them, as the API's proxy does),
// and Error rules default to 403.
func (s *Server) Faults() *fault.Engine { return &s.faults }

// apiError is the API's refusal: a status and its message (the API
// answers {"errors": [message]}).
type apiError = simrest.Error

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{Status: status, Message: fmt.Sprintf(format, args...)}
}

func notFound() *apiError { return errorf(http.StatusNotFound, "Not found") }

type answer = simrest.Answer

// cloud is the Metal API's part of the request loop the JSON simulators
// share: an X-Auth-Token, the X-RateLimit headers, {"errors"} bodies.
func (s *Server) cloud() *simrest.Cloud {
	return &simrest.Cloud{
		Mux: s.mux, Faults: &s.faults, Lock: &s.mu,
		Resource: func(r *http.Request) string { return r.PathValue("id") },
		Authorized: func(r *http.Request) bool {
			s.calls++
			return s.tokens[r.Header.Get("X-Auth-Token")]
		},
		Headers:      s.rateHeaders,
		WriteError:   writeError,
		Unauthorized: apiError{Status: http.StatusUnauthorized, Message: "Invalid authentication token"},
		Throttled:    apiError{Status: http.StatusTooManyRequests, Message: "Too Many Requests"},
		ServerError:  apiError{Status: http.StatusInternalServerError, Message: "Oh snap, something went wrong! We've logged the error and will take a look."},
		Forbidden:    apiError{Status: http.StatusForbidden},
	}
}

// rateHeaders are the API's X-RateLimit headers (the lock is held).
func (s *Server) rateHeaders(w http.ResponseWriter) {
	left := max(s.opts.RateLimit-s.calls, 0)
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(s.opts.RateLimit))
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(left))
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(s.opts.Now().Add(time.Hour).Unix(), 10))
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.Status)
	errs := e.Errors
	if len(errs) == 0 {
		errs = []string{e.Message}
	}
	json.NewEncoder(w).Encode(map[string]any{"errors": errs})
}

// uuid is an ID in the API's form.
func uuid() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// page answers one page of a list under key with the API's meta (page
// from 1, per_page), meta.next pointing at the next page.
func (s *Server) page(r *http.Request, key string, items []any) answer {
	q := r.URL.Query()
	pageNo, _ := strconv.Atoi(q.Get("page"))
	if pageNo < 1 {
		pageNo = 1
	}
	per, _ := strconv.Atoi(q.Get("per_page"))
	if per < 1 || per > s.opts.PageSize {
		per = s.opts.PageSize
	}
	last := max((len(items)+per-1)/per, 1)
	start := min((pageNo-1)*per, len(items))
	end := min(start+per, len(items))
	href := func(n int) map[string]any {
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(per))
		return map[string]any{"href": strings.TrimPrefix(r.URL.Path, Prefix) + "?" + q.Encode()}
	}
	meta := map[string]any{"self": href(pageNo), "first": href(1), "last": href(last), "total": len(items), "current_page": pageNo, "last_page": last}
	if pageNo < last {
		meta["next"] = href(pageNo + 1)
	}
	if pageNo > 1 {
		meta["previous"] = href(pageNo - 1)
	}
	return answer{Status: http.StatusOK, Body: map[string]any{key: items[start:end], "meta": meta}}
}

func (s *Server) project(r *http.Request) (string, *apiError) {
	id := r.PathValue("project")
	if _, ok := s.projects[id]; !ok {
		return "", notFound()
	}
	return id, nil
}

func (s *Server) getProject(r *http.Request, _ []byte) (answer, *apiError) {
	r.SetPathValue("project", r.PathValue("id"))
	id, err := s.project(r)
	if err != nil {
		return answer{}, err
	}
	return answer{Status: http.StatusOK, Body: map[string]any{"id": id, "name": s.projects[id], "href": "/metal/v1/projects/" + id,
		"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}}, nil
}

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	handle := s.cloud().Handle
	handle("GET "+Prefix+"/projects/{id}", "Projects.Get", s.getProject)
	handle("POST "+Prefix+"/projects/{project}/devices", "Devices.Create", s.createDevice)
	handle("GET "+Prefix+"/projects/{project}/devices", "Devices.List", s.listDevices)
	handle("GET "+Prefix+"/devices/{id}", "Devices.Get", s.getDevice)
	handle("DELETE "+Prefix+"/devices/{id}", "Devices.Delete", s.deleteDevice)
	handle("PUT "+Prefix+"/devices/{id}", "Devices.Update", s.updateDevice)
	handle("POST "+Prefix+"/projects/{project}/ssh-keys", "SSHKeys.Create", s.createKey)
	handle("GET "+Prefix+"/projects/{project}/ssh-keys", "SSHKeys.ProjectList", s.listKeys)
	handle("GET "+Prefix+"/ssh-keys/{id}", "SSHKeys.Get", s.getKey)
	handle("DELETE "+Prefix+"/ssh-keys/{id}", "SSHKeys.Delete", s.deleteKey)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(http.StatusNotFound, "The simulator does not serve %s %s.", r.Method, r.URL.Path))
	})
}
