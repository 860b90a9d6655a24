// Package sim is an in-process DigitalOcean API v2 for the parts strata
// uses — droplets (status new → active over a few reads), SSH keys,
// images, volumes and snapshots, droplet actions, tags, each region's
// default VPC — speaking its wire protocol (JSON over REST with a bearer
// token), so that godo, DigitalOcean's own Go client, is tested against
// it unchanged. It behaves like the API where clients depend on it:
// errors are DigitalOcean's {"id","message"} body, lists page with
// links.pages.next, every answer carries the rate-limit headers and a
// throttled call is a 429, unknown IDs are 404s, and deleting by tag
// deletes every droplet with the tag. Faults come from the shared engine
// (core/cloud/fault), with calls named after godo's methods
// ("Droplets.Create", "Keys.DeleteByID").
package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
)

// Options shape the simulator.
type Options struct {
	// ActiveGets is how many reads see a new droplet "new" before it is
	// "active" (default 2).
	ActiveGets int
	// PageSize bounds list pages when the caller asks for more (default
	// 5, so that clients page; DigitalOcean's own bound is 200).
	PageSize int
	// RateLimit is the calls an hour the rate-limit headers count down
	// from (default 5000, DigitalOcean's).
	RateLimit int
	// Now is the clock for creation times (default time.Now).
	Now func() time.Time
}

// Server is one simulated DigitalOcean account.
type Server struct {
	opts Options
	mux  *http.ServeMux
	base string // the URL clients reach it at, for links

	mu        sync.Mutex
	faults    fault.Engine
	seq       int
	tokens    map[string]bool
	droplets  map[int]*Droplet
	launched  []int
	keys      map[int]*Key
	images    map[int]*Image
	volumes   map[string]*Volume
	snapshots map[string]*Snapshot
	actions   map[int]*action
	tags      map[string]bool // made by name; those on resources count too
	calls     int             // for the rate-limit headers
}

// New returns a simulator with no token, droplet or key, and the public
// images of DigitalOcean's that strata's tests name.
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
	s := &Server{opts: opts, tokens: map[string]bool{}, droplets: map[int]*Droplet{}, keys: map[int]*Key{}, images: map[int]*Image{},
		volumes: map[string]*Volume{}, snapshots: map[string]*Snapshot{}, actions: map[int]*action{}, tags: map[string]bool{}}
	for _, slug := range []string{"ubuntu-24-04-x64", "debian-12-x64", "fedora-41-x64"} {
		s.addImage(&Image{Name: slug, Slug: slug, Distribution: distribution(slug), Public: true, Type: "base", Status: "available"})
	}
	s.routes()
	return s
}

// Start serves the simulator on a loopback port.
func (s *Server) Start() *httptest.Server { return httptest.NewServer(s) }

// AddToken makes a personal access token valid.
func (s *Server) AddToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = true
}

// Faults are the rules the simulator misbehaves by. Calls are named after
// godo's services ("Droplets.Create", "Droplets.Get", "Droplets.List",
// "Droplets.Delete", "Droplets.DeleteByTag", "Keys.Create", "Keys.Get",
// "Keys.Delete", "Keys.List", "Images.Create", "Images.Get", "Images.List",
// "Images.Delete", "Account.Get", "Storage.CreateVolume",
// "Storage.GetVolume", "Storage.ListVolumes", "Storage.DeleteVolume",
// "Storage.CreateSnapshot", "Snapshots.Get", "Snapshots.List",
// "Snapshots.Delete", "DropletActions.Do", "Actions.Get", "Actions.List",
// "Tags.Create", "Tags.List", "Tags.TagResources", "Tags.UntagResources",
// "VPCs.List", "ImageActions.Transfer" (any image action),
// "ImageActions.Get"), resources by ID or tag. Throttle answers 429
// too_many_requests, server errors 500 server_error, and Error rules
// default to 403 forbidden.
func (s *Server) Faults() *fault.Engine { return &s.faults }

// apiError is DigitalOcean's error answer.
type apiError struct {
	status  int
	id      string
	message string
}

func notFound() *apiError {
	return &apiError{http.StatusNotFound, "not_found", "The resource you were accessing could not be found."}
}

func unprocessable(format string, args ...any) *apiError {
	return &apiError{http.StatusUnprocessableEntity, "unprocessable_entity", fmt.Sprintf(format, args...)}
}

// answer is a call's answer: a status and a JSON body (nil for none).
type answer struct {
	status int
	body   any
}

// handler serves one call with the lock held.
type handler func(r *http.Request, body []byte) (answer, *apiError)

// handle registers a call: faults and the token first, then the call
// under the lock, and the rate-limit headers on every answer.
func (s *Server) handle(pattern, call string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			s.writeError(w, &apiError{http.StatusBadRequest, "bad_request", "reading the body: " + err.Error()})
			return
		}
		resource := r.PathValue("id")
		if resource == "" {
			resource = r.PathValue("name")
		}
		if resource == "" {
			resource = r.URL.Query().Get("tag_name")
		}
		d := s.faults.Decide(call, resource)
		defer d.Done()
		d.Wait(r.Context())
		s.mu.Lock()
		if s.base == "" {
			s.base = "http://" + r.Host
		}
		s.calls++
		ok := s.tokens[bearer(r)]
		s.mu.Unlock()
		if !ok {
			s.writeError(w, &apiError{http.StatusUnauthorized, "unauthorized", "Unable to authenticate you"})
			return
		}
		lost := false
		if f := d.Fault; f != nil {
			switch f.Effect {
			case fault.Throttle:
				s.writeError(w, &apiError{http.StatusTooManyRequests, "too_many_requests", "API Rate limit exceeded."})
				return
			case fault.ServerError:
				s.writeError(w, &apiError{http.StatusInternalServerError, "server_error", "Server was unable to give you a response."})
				return
			case fault.LoseAnswer:
				lost = true
			case fault.Error:
				e := &apiError{f.Status, f.Code, f.Message}
				if e.status == 0 {
					e.status = http.StatusForbidden
				}
				if e.id == "" {
					e.id = "forbidden"
				}
				if e.message == "" {
					e.message = "injected failure of " + call
				}
				s.writeError(w, e)
				return
			}
		}
		s.mu.Lock()
		a, aerr := h(r, body)
		s.mu.Unlock()
		switch {
		case lost:
			s.writeError(w, &apiError{http.StatusInternalServerError, "server_error", "Server was unable to give you a response."})
		case aerr != nil:
			s.writeError(w, aerr)
		default:
			s.rateHeaders(w)
			if a.body == nil {
				w.WriteHeader(a.status)
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(a.status)
			json.NewEncoder(w).Encode(a.body)
		}
	})
}

func bearer(r *http.Request) string {
	const prefix = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) > len(prefix) && h[:len(prefix)] == prefix {
		return h[len(prefix):]
	}
	return ""
}

// rateHeaders are the headers DigitalOcean puts on every answer.
func (s *Server) rateHeaders(w http.ResponseWriter) {
	s.mu.Lock()
	left := max(s.opts.RateLimit-s.calls, 0)
	s.mu.Unlock()
	w.Header().Set("Ratelimit-Limit", strconv.Itoa(s.opts.RateLimit))
	w.Header().Set("Ratelimit-Remaining", strconv.Itoa(left))
	w.Header().Set("Ratelimit-Reset", strconv.FormatInt(s.opts.Now().Add(time.Hour).Unix(), 10))
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	s.rateHeaders(w)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]string{"id": e.id, "message": e.message, "request_id": fmt.Sprintf("sim-%d", s.lockedID())})
}

func (s *Server) lockedID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextID()
}

// nextID is a number no other object of this server has.
func (s *Server) nextID() int {
	s.seq++
	return s.seq + 100000
}

// page answers one page of a list under key, with links.pages.next to the
// rest and meta.total, as DigitalOcean pages (page from 1, per_page).
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
	start := min((pageNo-1)*per, len(items))
	end := min(start+per, len(items))
	pages := map[string]any{}
	if end < len(items) {
		q.Set("page", strconv.Itoa(pageNo+1))
		q.Set("per_page", strconv.Itoa(per))
		pages["next"] = s.base + r.URL.Path + "?" + q.Encode()
	}
	if pageNo > 1 {
		q.Set("page", strconv.Itoa(pageNo-1))
		pages["prev"] = s.base + r.URL.Path + "?" + q.Encode()
	}
	return answer{http.StatusOK, map[string]any{key: items[start:end], "links": map[string]any{"pages": pages}, "meta": map[string]any{"total": len(items)}}}
}
