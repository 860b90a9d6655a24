// Package sim is an in-process OpenStack cloud for the parts strata uses,
// speaking each service's wire protocol so that gophercloud, OpenStack's
// Go SDK, is tested against it unchanged: Keystone v3 (version
// discovery, password and application-credential tokens, a catalog with
// public and internal endpoints of one region), Nova (servers BUILD →
// ACTIVE over a few reads, key pairs, flavors, console output), Glance v2
// (images queued → active by a data upload, with its checksums) and
// Neutron (networks, ports, security groups and rules, floating IPs).
//
// It behaves like the services where clients depend on it: each answers
// errors in its own body (Keystone's {"error"}, Nova's {"itemNotFound"}
// and friends, Glance's plain text, Neutron's {"NeutronError"}), every
// call but a token's needs a valid X-Auth-Token, lists page with markers
// and next links (servers_links, Glance's next, ports_links), and a
// throttled call is a 429 with Retry-After. Faults come from the shared
// engine (core/cloud/fault), with calls named after gophercloud's
// packages and functions ("servers.Create", "ports.Delete").
package sim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/qemu/box"
)

// Options shape the simulator.
type Options struct {
	// Region is the catalog's one region (default "RegionOne").
	Region string
	// ActiveGets is how many reads see a new server BUILD before it is
	// ACTIVE (default 2).
	ActiveGets int
	// PageSize bounds list pages (default 5, so that clients page; Nova's
	// own bound is 1000).
	PageSize int
	// Now is the clock for creation times (default time.Now).
	Now func() time.Time
	// Box, if set, boots servers of images uploaded in a format QEMU
	// reads (boot.go).
	Box *box.Box
	// Logger gets a line per request a booted guest makes to the
	// metadata service (default: none).
	Logger *slog.Logger
}

// Server is one simulated OpenStack cloud with one project.
type Server struct {
	opts Options
	mux  *http.ServeMux

	mu         sync.Mutex
	base       string // the URL clients reach it at, for the catalog and links
	faults     fault.Engine
	users      map[string]*user    // by name
	appCreds   map[string]*appCred // by ID
	tokens     map[string]time.Time
	servers    map[string]*Instance
	launched   []string
	keypairs   map[string]*KeyPair
	flavors    []*flavor
	images     map[string]*Image
	networks   map[string]*Network
	ports      map[string]*Port
	groups     map[string]*SecurityGroup
	floatingIP map[string]*FloatingIP
	seq        int
}

// ProjectID and ProjectName are the simulated cloud's one project.
const (
	ProjectID   = "5d8b6ef1c0a94f2e9a3b7d6c1e2f4a50"
	ProjectName = "strata-ci"
	DomainID    = "default"
	DomainName  = "Default"
)

// New returns a cloud with no user, one private network ("private"),
// one external network for floating IPs ("public"), the usual flavors and
// one public image ("cirros").
func New(opts Options) *Server {
	if opts.Region == "" {
		opts.Region = "RegionOne"
	}
	if opts.ActiveGets == 0 {
		opts.ActiveGets = 2
	}
	if opts.PageSize == 0 {
		opts.PageSize = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, users: map[string]*user{}, appCreds: map[string]*appCred{}, tokens: map[string]time.Time{},
		servers: map[string]*Instance{}, keypairs: map[string]*KeyPair{}, images: map[string]*Image{},
		networks: map[string]*Network{}, ports: map[string]*Port{}, groups: map[string]*SecurityGroup{}, floatingIP: map[string]*FloatingIP{}}
	s.flavors = []*flavor{
		{ID: "1", Name: "m1.tiny", RAM: 512, VCPUs: 1, Disk: 1},
		{ID: "2", Name: "m1.small", RAM: 2048, VCPUs: 1, Disk: 20},
		{ID: "3", Name: "m1.medium", RAM: 4096, VCPUs: 2, Disk: 40},
		{ID: "4", Name: "m1.large", RAM: 8192, VCPUs: 4, Disk: 80},
	}
	s.addNetwork("private", "10.0.0", false)
	s.addNetwork("public", "172.24.4", true)
	img := &Image{ID: s.newID(), Name: "cirros", Status: "active", Visibility: "public", DiskFormat: "qcow2", ContainerFormat: "bare",
		Tags: []string{}, Properties: map[string]string{}, Created: opts.Now(), Size: 21430272}
	s.images[img.ID] = img
	s.routes()
	return s
}

// Start serves the simulator on a loopback port.
func (s *Server) Start() *httptest.Server { return httptest.NewServer(s) }

// ServeHTTP answers one call.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Faults are the rules the simulator misbehaves by. Calls are named after
// gophercloud's packages and functions: "tokens.Create", "servers.Create",
// "servers.Get", "servers.List", "servers.Delete", "servers.ShowConsoleOutput",
// "keypairs.Create", "keypairs.List", "keypairs.Get", "keypairs.Delete",
// "flavors.List", "flavors.Get", "images.Create", "images.Get",
// "images.List", "images.Delete", "imagedata.Upload", "networks.List",
// "networks.Get", "ports.Create", "ports.List", "ports.Delete",
// "groups.Create", "groups.List", "groups.Delete", "rules.Create",
// "floatingips.Create", "floatingips.List", "floatingips.Delete";
// resources by ID (a key pair by name). Throttle answers 429 with
// Retry-After, server errors a 500 (503 from Glance), and Error rules
// default to 403.
func (s *Server) Faults() *fault.Engine { return &s.faults }

// service is an OpenStack service, which decides the shape of errors.
type service int

const (
	identity service = iota
	compute
	image
	network
)

// apiError is a refusal, in whichever service's form it is written.
type apiError struct {
	status  int
	kind    string // Neutron's type ("PortNotFound"); others derive theirs from status
	message string
}

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return errorf(http.StatusNotFound, format, args...)
}

func badRequest(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, format, args...)
}

// novaKinds are the keys Nova wraps an error in, by status.
var novaKinds = map[int]string{400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound", 409: "conflictingRequest", 413: "overLimit", 429: "overLimit"}

// neutronKinds are Neutron's error types where the handler names none.
var neutronKinds = map[int]string{400: "HTTPBadRequest", 401: "HTTPUnauthorized", 403: "HTTPForbidden", 404: "HTTPNotFound", 409: "Conflict", 429: "OverQuota", 503: "ServiceUnavailable"}

func (s *Server) writeError(w http.ResponseWriter, svc service, e *apiError) {
	if e.status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "0")
	}
	switch svc {
	case identity:
		writeJSON(w, e.status, map[string]any{"error": map[string]any{"code": e.status, "message": e.message, "title": http.StatusText(e.status)}})
	case compute:
		kind := novaKinds[e.status]
		if kind == "" {
			kind = "computeFault"
		}
		writeJSON(w, e.status, map[string]any{kind: map[string]any{"code": e.status, "message": e.message}})
	case image:
		// Glance answers its errors as webob's plain text.
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.WriteHeader(e.status)
		fmt.Fprintf(w, "%d %s\n\n%s\n\n   ", e.status, http.StatusText(e.status), e.message)
	case network:
		kind := e.kind
		if kind == "" {
			kind = neutronKinds[e.status]
		}
		if kind == "" {
			kind = "HTTPInternalServerError"
		}
		writeJSON(w, e.status, map[string]any{"NeutronError": map[string]any{"type": kind, "message": e.message, "detail": ""}})
	}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// answer is a call's answer: a status, a JSON body (nil for none), and
// headers.
type answer struct {
	status int
	body   any
	header map[string]string
}

// handler serves one call with the lock held.
type handler func(r *http.Request, body []byte) (answer, *apiError)

// handle registers a call of a service: faults, then the token (but for
// Keystone's token create and version discovery), then the call under the
// lock. A body too large for JSON calls is read by the handler.
func (s *Server) handle(svc service, pattern, call string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		// Read the body before any early answer: a client whose transport
		// is still sending it must not race a reused buffer.
		var body []byte
		if call != "imagedata.Upload" {
			var err error
			if body, err = io.ReadAll(r.Body); err != nil {
				s.writeError(w, svc, badRequest("reading the body: %v", err))
				return
			}
		}
		resource := r.PathValue("id")
		if resource == "" {
			resource = r.PathValue("name")
		}
		d := s.faults.Decide(call, resource)
		defer d.Done()
		d.Wait(r.Context())
		s.mu.Lock()
		if s.base == "" {
			s.base = "http://" + r.Host
		}
		authed := s.validToken(r.Header.Get("X-Auth-Token"))
		s.mu.Unlock()
		if !authed && call != "tokens.Create" && call != "versions" {
			if call == "imagedata.Upload" {
				io.Copy(io.Discard, r.Body)
			}
			s.writeError(w, svc, errorf(http.StatusUnauthorized, "The request you have made requires authentication."))
			return
		}
		lost := false
		if f := d.Fault; f != nil {
			early := func(e *apiError) {
				if call == "imagedata.Upload" {
					io.Copy(io.Discard, r.Body)
				}
				s.writeError(w, svc, e)
			}
			switch f.Effect {
			case fault.Throttle:
				early(errorf(http.StatusTooManyRequests, "This request was rate-limited."))
				return
			case fault.ServerError:
				if svc == image {
					early(errorf(http.StatusServiceUnavailable, "The server is currently unavailable. Please try again at a later time."))
				} else {
					early(errorf(http.StatusInternalServerError, "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible."))
				}
				return
			case fault.LoseAnswer:
				lost = true
			case fault.Error:
				e := &apiError{status: f.Status, kind: f.Code, message: f.Message}
				if e.status == 0 {
					e.status = http.StatusForbidden
				}
				if e.message == "" {
					e.message = "injected failure of " + call
				}
				early(e)
				return
			}
		}
		var a answer
		var aerr *apiError
		if call == "imagedata.Upload" {
			a, aerr = s.uploadImage(r) // takes the lock itself, not while it reads
		} else {
			s.mu.Lock()
			a, aerr = h(r, body)
			s.mu.Unlock()
		}
		switch {
		case lost:
			s.writeError(w, svc, errorf(http.StatusInternalServerError, "The connection was lost after the call took effect."))
		case aerr != nil:
			s.writeError(w, svc, aerr)
		default:
			for k, v := range a.header {
				w.Header().Set(k, v)
			}
			if a.body == nil {
				w.WriteHeader(a.status)
				return
			}
			writeJSON(w, a.status, a.body)
		}
	})
}

// newID is a UUID-shaped ID, as OpenStack's services give.
func (s *Server) newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// decode reads a JSON body into v, or says why not in the service's way.
func decode(body []byte, v any) *apiError {
	if err := json.Unmarshal(body, v); err != nil {
		return badRequest("Malformed request body: %v", err)
	}
	return nil
}

// page answers one page of items (ordered by ID, as the services list
// by default when paging by marker): from after marker, at most limit
// (bounded by PageSize), and the next link when more follow. id names
// each item.
func (s *Server) page(r *http.Request, items []map[string]any) (out []map[string]any, next string, err *apiError) {
	slices.SortFunc(items, func(a, b map[string]any) int {
		return compareStrings(fmt.Sprint(a["id"]), fmt.Sprint(b["id"]))
	})
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit < 1 || limit > s.opts.PageSize {
		limit = s.opts.PageSize
	}
	start := 0
	if m := q.Get("marker"); m != "" {
		i := slices.IndexFunc(items, func(it map[string]any) bool { return fmt.Sprint(it["id"]) == m })
		if i < 0 {
			return nil, "", badRequest("marker [%s] not found", m)
		}
		start = i + 1
	}
	end := min(start+limit, len(items))
	out = items[start:end]
	if out == nil {
		out = []map[string]any{}
	}
	if end < len(items) {
		q.Set("marker", fmt.Sprint(items[end-1]["id"]))
		q.Set("limit", strconv.Itoa(limit))
		next = r.URL.Path + "?" + q.Encode()
	}
	return out, next, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// links is the {"rel":"next"} list Nova and Neutron page with.
func (s *Server) links(next string) []map[string]string {
	if next == "" {
		return []map[string]string{}
	}
	return []map[string]string{{"rel": "next", "href": s.base + next}}
}

// filter keeps the items whose fields equal the query's values for the
// keys given (Neutron's and Glance's filters by attribute).
func filter(r *http.Request, items []map[string]any, keys ...string) []map[string]any {
	q := r.URL.Query()
	var out []map[string]any
	for _, it := range items {
		keep := true
		for _, k := range keys {
			if v, ok := q[k]; ok && fmt.Sprint(it[k]) != v[0] {
				keep = false
			}
		}
		if keep {
			out = append(out, it)
		}
	}
	return out
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// endpoint is where a service is, as the catalog says and links go.
func (s *Server) endpoint(path string) string {
	u, _ := url.JoinPath(s.base, path)
	return u
}
