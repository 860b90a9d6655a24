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
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/cloud/simrest"
	"github.com/strata-os/strata/providers/qemu/box"
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
	// Box, if set, boots droplets of custom images imported from a URL
	// (boot.go).
	Box *box.Box
	// Logger gets a line per request a booted guest makes to the
	// metadata service, and why a droplet did not boot (default: none).
	Logger *slog.Logger
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
	requests  atomic.Int64    // request IDs of error answers
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
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
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

// apiError is DigitalOcean's error answer: a status, its id and message.
type apiError = simrest.Error

func notFound() *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "The resource you were accessing could not be found."}
}

func unprocessable(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: "unprocessable_entity", Message: fmt.Sprintf(format, args...)}
}

// answer is a call's answer: a status and a JSON body (nil for none).
type answer = simrest.Answer

// handler serves one call with the lock held.
type handler = simrest.Handler

// cloud is DigitalOcean's part of the request loop the JSON simulators
// share: a bearer token, the rate-limit headers, {"id","message"} errors.
func (s *Server) cloud() *simrest.Cloud {
	return &simrest.Cloud{
		Mux: s.mux, Faults: &s.faults, Lock: &s.mu,
		Resource: func(r *http.Request) string {
			for _, v := range []string{r.PathValue("id"), r.PathValue("name"), r.URL.Query().Get("tag_name")} {
				if v != "" {
					return v
				}
			}
			return ""
		},
		Authorized: func(r *http.Request) bool {
			if s.base == "" {
				s.base = "http://" + r.Host
			}
			s.calls++
			return s.tokens[bearer(r)]
		},
		Headers:      s.rateHeaders,
		WriteError:   s.writeError,
		Unauthorized: apiError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: "Unable to authenticate you"},
		Throttled:    apiError{Status: http.StatusTooManyRequests, Code: "too_many_requests", Message: "API Rate limit exceeded."},
		ServerError:  apiError{Status: http.StatusInternalServerError, Code: "server_error", Message: "Server was unable to give you a response."},
		Forbidden:    apiError{Status: http.StatusForbidden, Code: "forbidden"},
	}
}

func bearer(r *http.Request) string {
	const prefix = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) > len(prefix) && h[:len(prefix)] == prefix {
		return h[len(prefix):]
	}
	return ""
}

// rateHeaders are the headers DigitalOcean puts on every answer (the
// lock is held).
func (s *Server) rateHeaders(w http.ResponseWriter) {
	left := max(s.opts.RateLimit-s.calls, 0)
	w.Header().Set("Ratelimit-Limit", strconv.Itoa(s.opts.RateLimit))
	w.Header().Set("Ratelimit-Remaining", strconv.Itoa(left))
	w.Header().Set("Ratelimit-Reset", strconv.FormatInt(s.opts.Now().Add(time.Hour).Unix(), 10))
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(e.Status)
	json.NewEncoder(w).Encode(map[string]string{"id": e.Code, "message": e.Message, "request_id": fmt.Sprintf("sim-%d", s.requests.Add(1))})
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
	return answer{Status: http.StatusOK, Body: map[string]any{key: items[start:end], "links": map[string]any{"pages": pages}, "meta": map[string]any{"total": len(items)}}}
}
