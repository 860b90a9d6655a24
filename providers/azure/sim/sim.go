// Package sim is an in-process Azure: Azure Resource Manager's REST API
// for the resource kinds strata uses (resource groups, virtual networks,
// network security groups, public IP addresses, network interfaces,
// virtual machines, managed images, marketplace images) and Microsoft
// Entra ID's token endpoint, speaking the real wire protocol, so that the
// Azure SDK for Go and azidentity are tested against it unchanged.
//
// It behaves like ARM where clients depend on it: api-version is
// required, names are case-insensitive, writes of networks and machines
// are long-running operations (201 with an Azure-AsyncOperation header
// that reports InProgress for a few polls, deletes 202 with a Location
// header), errors are ARM's {"error":{"code","message"}} body with its
// codes, lists page with nextLink and filter resource groups by tag, and
// deleting a resource group deletes everything in it. Faults come from
// the shared engine (core/cloud/fault), with calls named by ARM's
// operation names ("Microsoft.Compute/virtualMachines/write").
//
// Entra ID needs https (MSAL refuses another scheme), so the simulator is
// served over TLS (Start); its clients trust the test server's
// certificate.
package sim

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/qemu/box"
)

// Options shape the simulator.
type Options struct {
	// Subscription is the one subscription served (default
	// "00000000-0000-0000-0000-00000000c0de"); Tenant is its directory
	// (default "72f988bf-0000-0000-0000-000000005157").
	Subscription, Tenant string
	// Location is the region resources must be in (default "westus2").
	Location string
	// OperationPolls is how many polls see a long-running operation
	// InProgress before it finishes (default 2).
	OperationPolls int
	// PollAfter is the Retry-After an operation answers (default 10 ms,
	// sent as retry-after-ms; ARM sends whole seconds, which a test would
	// wait).
	PollAfter time.Duration
	// PageSize bounds list pages (default 5, so that clients page).
	PageSize int
	// Now is the clock for creation times (default time.Now).
	Now func() time.Time
	// Box, if set, boots machines of images made from VHD blobs
	// (boot.go).
	Box *box.Box
	// Logger gets a line per request a booted guest makes to IMDS and
	// the WireServer (default: none).
	Logger *slog.Logger
}

// Server is one simulated subscription and its directory.
type Server struct {
	opts Options
	mux  *http.ServeMux
	// base is the URL clients reach the server at, for the URLs it
	// hands out (operation status, boot diagnostics): taken from the
	// first request's Host.
	base string

	mu         sync.Mutex
	faults     fault.Engine
	seq        uint64
	resources  map[string]*Resource // by lower-case ID
	groups     map[string]*Resource // by lower-case name
	operations map[string]*operation
	clients    map[string]string            // Entra application (client) ID → secret
	certs      map[string]*x509.Certificate // Entra application ID → its certificate
	tokens     map[string]string            // access token → client ID
	audiences  map[string]string            // access token → the scope it was issued for
	accounts   map[string]*storageAccount
	// blobBytesIn counts Put Page and Put Blob body bytes.
	blobBytesIn atomic.Int64
	launched    []string             // VM IDs, in order of creation
	consoles    map[string]string    // VM name (lower case) → serial log
	sigs        map[string]string    // serial log signature → VM name
	vms         map[string]*Resource // every VM created, by lower-case ID
	marketImgs  map[string]bool      // publisher:offer:sku:version, lower case
	ips         uint32
	disks       map[string]string    // image or gallery version (lower-case ID) → its VHD in the box
	booted      map[string]*bootedVM // by the VM's lower-case ID
}

// New returns a simulator with no resources and no Entra applications.
func New(opts Options) *Server {
	if opts.Subscription == "" {
		opts.Subscription = "00000000-0000-0000-0000-00000000c0de"
	}
	if opts.Tenant == "" {
		opts.Tenant = "72f988bf-0000-0000-0000-000000005157"
	}
	if opts.Location == "" {
		opts.Location = "westus2"
	}
	if opts.OperationPolls == 0 {
		opts.OperationPolls = 2
	}
	if opts.PollAfter == 0 {
		opts.PollAfter = 10 * time.Millisecond
	}
	if opts.PageSize == 0 {
		opts.PageSize = 5
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:       opts,
		resources:  map[string]*Resource{},
		groups:     map[string]*Resource{},
		operations: map[string]*operation{},
		clients:    map[string]string{},
		certs:      map[string]*x509.Certificate{},
		tokens:     map[string]string{},
		audiences:  map[string]string{},
		accounts:   map[string]*storageAccount{},
		consoles:   map[string]string{},
		sigs:       map[string]string{},
		vms:        map[string]*Resource{},
		marketImgs: map[string]bool{},
		disks:      map[string]string{},
		booted:     map[string]*bootedVM{},
	}
	s.routes()
	return s
}

// Start serves the simulator over TLS on a loopback port; the returned
// server's Client trusts it.
func (s *Server) Start() *httptest.Server { return httptest.NewTLSServer(s) }

// Subscription, Tenant and Location are the ones served.
func (s *Server) Subscription() string { return s.opts.Subscription }
func (s *Server) Tenant() string       { return s.opts.Tenant }
func (s *Server) Location() string     { return s.opts.Location }

// Faults are the rules the simulator misbehaves by. Calls are named by
// ARM's operation names ("Microsoft.Compute/virtualMachines/write",
// "Microsoft.Resources/subscriptions/resourceGroups/delete",
// "Microsoft.Compute/virtualMachines/read", "oauth2/token"), resources
// by name. Throttle answers 429 TooManyRequests with Retry-After, server
// errors 503 ServiceUnavailable, and Error rules default to 403
// AuthorizationFailed.
func (s *Server) Faults() *fault.Engine { return &s.faults }

// AddClient registers an Entra application (service principal) whose
// client-credentials flow the token endpoint accepts.
func (s *Server) AddClient(clientID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[clientID] = secret
}

// AddMarketplaceImage makes a marketplace image (publisher, offer, SKU,
// version) available in the location.
func (s *Server) AddMarketplaceImage(publisher, offer, sku, version string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marketImgs[strings.ToLower(strings.Join([]string{publisher, offer, sku, version}, ":"))] = true
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.base == "" {
		s.base = "https://" + r.Host
	}
	s.mu.Unlock()
	if strings.HasPrefix(strings.ToLower(r.URL.Path), "/subscriptions/") {
		s.serveARM(w, r)
		return
	}
	if s.isBlobRequest(r) {
		s.serveBlob(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// nextID returns a number no other call of this server gets.
func (s *Server) nextID() uint64 {
	s.seq++
	return s.seq
}

// handler serves one call, with the lock held, on the whole body. It
// answers a value to send as JSON (status 200), a response, or an error.
type handler func(r *http.Request, body []byte) (any, *armError)

// response is an answer other than 200 with a JSON body.
type response struct {
	status int
	header http.Header
	body   any // JSON, or []byte as it is
}

// handle registers a call under its pattern, with fault injection,
// authentication, api-version and the lock around it. name is the call's
// name for fault rules: an ARM operation name with "{type}" standing for
// the resource type in the path, or a fixed name.
func (s *Server) handle(pattern string, name func(*http.Request) string, h handler) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, badRequest("InvalidRequestContent", "reading the body: %v", err))
			return
		}
		s.serve(w, r, name(r), body, h)
	})
}

// serve answers a call: authentication and the faults a test injected
// first, then the call itself.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, call string, body []byte, h handler) {
	d := s.faults.Decide(call, resourceName(r))
	defer d.Done()
	d.Wait(r.Context())
	s.mu.Lock()
	authErr := s.authorize(r)
	s.mu.Unlock()
	if authErr != nil {
		writeError(w, authErr)
		return
	}
	if r.URL.Path != "/" && !isEntra(r) && !strings.HasPrefix(r.URL.Path, "/bootdiagnostics/") && r.URL.Query().Get("api-version") == "" {
		writeError(w, badRequest("MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests."))
		return
	}
	lost := false
	if f := d.Fault; f != nil {
		switch f.Effect {
		case fault.Throttle:
			w.Header().Set("Retry-After-Ms", strconv.FormatInt(s.opts.PollAfter.Milliseconds()+1, 10))
			w.Header().Set("Retry-After", "1")
			writeError(w, &armError{http.StatusTooManyRequests, "TooManyRequests", "The request is being throttled as the limit has been reached for operation type - " + call + "."})
			return
		case fault.ServerError:
			writeError(w, &armError{http.StatusServiceUnavailable, "ServiceUnavailable", "The service is temporarily unavailable. Please try again later."})
			return
		case fault.LoseAnswer:
			lost = true
		case fault.Error:
			e := &armError{f.Status, f.Code, f.Message}
			if e.status == 0 {
				e.status = http.StatusForbidden
			}
			if e.code == "" {
				e.code = "AuthorizationFailed"
			}
			if e.message == "" {
				e.message = "injected failure of " + call
			}
			writeError(w, e)
			return
		}
	}
	s.mu.Lock()
	resp, aerr := h(r, body)
	s.mu.Unlock()
	if lost {
		// It happened; the caller is told it may not have.
		writeError(w, &armError{http.StatusInternalServerError, "InternalServerError", "An internal server error occurred. Please try again."})
		return
	}
	if aerr != nil {
		writeError(w, aerr)
		return
	}
	status, header, payload := http.StatusOK, http.Header(nil), any(resp)
	if rr, ok := resp.(response); ok {
		status, header, payload = rr.status, rr.header, rr.body
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.Header().Set("x-ms-request-id", fmt.Sprintf("sim-%d", s.lockedID()))
	switch p := payload.(type) {
	case nil:
		w.WriteHeader(status)
	case []byte:
		w.WriteHeader(status)
		w.Write(p)
	default:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(p)
	}
}

func (s *Server) lockedID() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextID()
}

// resourceName is the name a request is about, for fault rules: a
// route's {vm} or {tenant}, or the resource (or group) an ARM path names.
func resourceName(r *http.Request) string {
	for _, k := range []string{"vm", "tenant"} {
		if v := r.PathValue(k); v != "" {
			return v
		}
	}
	a, ok := parseARMPath(r.URL.Path)
	switch {
	case !ok:
		return ""
	case a.namespace != "" && len(a.segs) >= 2:
		return a.segs[1]
	}
	return a.group
}

// armError is ARM's error answer.
type armError struct {
	status  int
	code    string
	message string
}

func badRequest(code, format string, args ...any) *armError {
	return &armError{http.StatusBadRequest, code, fmt.Sprintf(format, args...)}
}

func notFound(code, format string, args ...any) *armError {
	return &armError{http.StatusNotFound, code, fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, e *armError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("x-ms-error-code", e.code)
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": e.code, "message": e.message}})
}
