package sim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/core/cloud/simblob"
)

// Blob storage is served path-style, https://host/{account}/{container}/{blob},
// the way Azurite and Azure Stack serve it (Azure itself puts the account
// in the host name, which a loopback server cannot). Its calls carry
// x-ms-version and a bearer token for https://storage.azure.com; its
// errors are Storage's XML body with the code in x-ms-error-code.

// storageAccount is one account's Blob service.
type storageAccount struct {
	name       string
	containers map[string]*container
}

type container struct {
	name     string
	metadata map[string]string
	modified time.Time
	etag     string
	blobs    map[string]*storedBlob
}

// storedBlob is a page or block blob; its bytes are in a simblob (a
// sparse temporary file for a page blob, so a 30 GiB disk costs what was
// written).
type storedBlob struct {
	name, typ         string // typ: PageBlob or BlockBlob
	data              *simblob.Blob
	pages             pageRanges // a page blob's written ranges
	metadata          map[string]string
	contentType       string
	contentMD5        []byte
	created, modified time.Time
	etag              string
}

const (
	pageSize     = 512
	maxPageWrite = 4 << 20 // Put Page's largest body
	maxPageBlob  = 8 << 40 // a page blob's largest size
	maxPutBlob   = 5000 << 20
)

// AddStorageAccount makes a storage account (StorageV2) at once in an
// existing group, and says whether it did (not if the group is not there
// or the name is taken or not a storage account's).
func (s *Server) AddStorageAccount(group, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[strings.ToLower(group)]
	if g == nil {
		return false
	}
	res := &Resource{ID: s.groupID(g.Name) + "/providers/Microsoft.Storage/storageAccounts/" + name, Name: name, Type: "Microsoft.Storage/storageAccounts",
		Location: s.opts.Location, Group: g.Name, Created: s.opts.Now(), State: "Succeeded", Properties: map[string]any{},
		Extra: map[string]any{"kind": "StorageV2", "sku": map[string]any{"name": "Standard_LRS"}}}
	if err := prepareStorageAccount(s, res, nil); err != nil {
		return false
	}
	s.resources[strings.ToLower(res.ID)] = res
	storageAccountCreated(s, res)
	return true
}

// blobEndpoint is an account's Blob service URL as the simulator serves
// it ("" before the first request tells the simulator its address).
func (s *Server) blobEndpoint(account string) string {
	if s.base == "" {
		return ""
	}
	return s.base + "/" + account + "/"
}

var storageAccountName = regexp.MustCompile(`^[a-z0-9]{3,24}$`)

func prepareStorageAccount(s *Server, res, old *Resource) *armError {
	if !storageAccountName.MatchString(res.Name) {
		return badRequest("AccountNameInvalid", "%s is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.", res.Name)
	}
	if old == nil && s.accounts[res.Name] != nil {
		return &armError{http.StatusConflict, "StorageAccountAlreadyTaken", fmt.Sprintf("The storage account named %s is already taken.", res.Name)}
	}
	res.Properties["primaryLocation"] = s.opts.Location
	res.Properties["statusOfPrimary"] = "available"
	return nil
}

// present is a resource as ARM answers it, with what depends on the
// address the simulator is reached at (unknown until the first request).
func (s *Server) present(res *Resource) map[string]any {
	out := res.json()
	if strings.EqualFold(res.Type, "Microsoft.Storage/storageAccounts") {
		out["properties"].(map[string]any)["primaryEndpoints"] = map[string]any{"blob": s.blobEndpoint(res.Name)}
	}
	return out
}

func storageAccountCreated(s *Server, res *Resource) {
	if s.accounts[res.Name] == nil {
		s.accounts[res.Name] = &storageAccount{name: res.Name, containers: map[string]*container{}}
	}
}

func storageAccountRemoved(s *Server, res *Resource) {
	if a := s.accounts[res.Name]; a != nil {
		for _, c := range a.containers {
			c.release()
		}
		delete(s.accounts, res.Name)
	}
}

func (c *container) release() {
	for _, b := range c.blobs {
		b.data.Release()
	}
}

// BlobBytesReceived is how many body bytes Put Page and Put Blob calls
// have brought, accepted or not.
func (s *Server) BlobBytesReceived() int64 { return s.blobBytesIn.Load() }

// BlobContent reads a blob's bytes whole (for tests; nil if it is not
// there) and says which byte ranges of a page blob were written.
func (s *Server) BlobContent(account, containerName, name string) ([]byte, [][2]int64) {
	s.mu.Lock()
	b := s.findBlob(account, containerName, name)
	if b == nil {
		s.mu.Unlock()
		return nil, nil
	}
	b.data.Acquire()
	var ranges [][2]int64
	for _, r := range b.pages {
		ranges = append(ranges, [2]int64{r.start, r.end})
	}
	s.mu.Unlock()
	defer b.data.Release()
	out := make([]byte, b.data.Size())
	n, _ := b.data.ReadAt(out, 0)
	return out[:n], ranges
}

func (s *Server) findBlob(account, containerName, name string) *storedBlob {
	a := s.accounts[account]
	if a == nil {
		return nil
	}
	c := a.containers[containerName]
	if c == nil {
		return nil
	}
	return c.blobs[name]
}

// blobPath is a Blob service request's path, split.
type blobPath struct{ account, container, blob string }

func parseBlobPath(p string) blobPath {
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3)
	var b blobPath
	b.account = parts[0]
	if len(parts) > 1 {
		b.container = parts[1]
	}
	if len(parts) > 2 {
		b.blob = parts[2]
	}
	return b
}

// isBlobRequest says whether a request is for a storage account's Blob
// service: its first path segment names an account, or it carries
// Storage's x-ms-version (an account that is not there is answered as
// Storage answers, not by the router).
func (s *Server) isBlobRequest(r *http.Request) bool {
	if isEntra(r) || strings.HasPrefix(r.URL.Path, "/bootdiagnostics/") {
		return false
	}
	if r.Header.Get("x-ms-version") != "" {
		return true
	}
	name := parseBlobPath(r.URL.Path).account
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accounts[name] != nil
}

// blobAnswer is a Blob service answer.
type blobAnswer struct {
	status int
	header http.Header
	body   []byte
	stream io.ReadCloser // instead of body: a blob's bytes
}

type blobHandler func(r *http.Request, p blobPath) (blobAnswer, *armError)

const blobOps = "Microsoft.Storage/storageAccounts/blobServices/containers/"

// serveBlob serves one Blob service call: faults and authentication
// first, as for ARM, then the call, which takes the lock itself (a page
// write's bytes go to disk outside it, so parallel writes run in
// parallel).
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request) {
	p := parseBlobPath(r.URL.Path)
	call, h := s.blobRoute(r, p)
	target := p.blob
	if target == "" {
		target = p.container
	}
	d := s.faults.Decide(call, target)
	defer d.Done()
	d.Wait(r.Context())
	if r.Header.Get("x-ms-version") == "" {
		writeBlobError(w, r, &armError{http.StatusBadRequest, "MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-version."})
		return
	}
	s.mu.Lock()
	authErr := s.authorizeStorage(r)
	s.mu.Unlock()
	if authErr != nil {
		writeBlobError(w, r, authErr)
		return
	}
	lost := false
	if f := d.Fault; f != nil {
		switch f.Effect {
		case fault.Throttle:
			// Storage throttles with 503 ServerBusy, without Retry-After.
			writeBlobError(w, r, &armError{http.StatusServiceUnavailable, "ServerBusy", "The server is busy."})
			return
		case fault.ServerError:
			writeBlobError(w, r, &armError{http.StatusInternalServerError, "InternalError", "The server encountered an internal error. Please retry the request."})
			return
		case fault.LoseAnswer:
			lost = true
		case fault.Error:
			e := &armError{f.Status, f.Code, f.Message}
			if e.status == 0 {
				e.status = http.StatusForbidden
			}
			if e.code == "" {
				e.code = "AuthorizationPermissionMismatch"
			}
			if e.message == "" {
				e.message = "injected failure of " + call
			}
			writeBlobError(w, r, e)
			return
		}
	}
	ans, aerr := h(r, p)
	if lost {
		if ans.stream != nil {
			ans.stream.Close()
		}
		writeBlobError(w, r, &armError{http.StatusInternalServerError, "OperationTimedOut", "Operation could not be completed within the specified time."})
		return
	}
	if aerr != nil {
		writeBlobError(w, r, aerr)
		return
	}
	for k, v := range ans.header {
		w.Header()[k] = v
	}
	w.Header().Set("x-ms-request-id", fmt.Sprintf("sim-%d", s.lockedID()))
	w.Header().Set("x-ms-version", r.Header.Get("x-ms-version"))
	w.Header().Set("Date", s.opts.Now().UTC().Format(http.TimeFormat))
	switch {
	case ans.stream != nil:
		defer ans.stream.Close()
		w.WriteHeader(ans.status)
		if r.Method != http.MethodHead {
			io.Copy(w, ans.stream)
		}
	case ans.body != nil:
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Length", strconv.Itoa(len(ans.body)))
		w.WriteHeader(ans.status)
		w.Write(ans.body)
	default:
		if w.Header().Get("Content-Length") == "" {
			w.Header().Set("Content-Length", "0")
		}
		w.WriteHeader(ans.status)
	}
}

// blobRoute picks a call's handler and its data-action name.
func (s *Server) blobRoute(r *http.Request, p blobPath) (string, blobHandler) {
	q := r.URL.Query()
	comp, restype := q.Get("comp"), q.Get("restype")
	switch {
	case p.container == "" && comp == "list" && r.Method == http.MethodGet:
		return blobOps + "read", s.listContainers
	case p.blob == "" && restype == "container":
		switch {
		case r.Method == http.MethodPut && comp == "":
			return blobOps + "write", s.createContainer
		case r.Method == http.MethodDelete && comp == "":
			return blobOps + "delete", s.deleteContainer
		case (r.Method == http.MethodGet || r.Method == http.MethodHead) && comp == "":
			return blobOps + "read", s.containerProperties
		case r.Method == http.MethodGet && comp == "list":
			return blobOps + "blobs/read", s.listBlobs
		}
	case p.blob != "":
		switch {
		case r.Method == http.MethodPut && comp == "":
			return blobOps + "blobs/write", s.putBlob
		case r.Method == http.MethodPut && comp == "page":
			return blobOps + "blobs/write", s.putPage
		case r.Method == http.MethodPut && comp == "properties":
			return blobOps + "blobs/write", s.setBlobProperties
		case r.Method == http.MethodPut && comp == "metadata":
			return blobOps + "blobs/write", s.setBlobMetadata
		case r.Method == http.MethodGet && comp == "pagelist":
			return blobOps + "blobs/read", s.pageList
		case (r.Method == http.MethodGet || r.Method == http.MethodHead) && comp == "":
			return blobOps + "blobs/read", s.getBlob
		case r.Method == http.MethodDelete && comp == "":
			return blobOps + "blobs/delete", s.deleteBlob
		}
	}
	return "unknown", func(*http.Request, blobPath) (blobAnswer, *armError) {
		return blobAnswer{}, &armError{http.StatusNotImplemented, "NotImplemented", fmt.Sprintf("%s %s?%s is a Blob service call the simulator does not serve.", r.Method, r.URL.Path, r.URL.RawQuery)}
	}
}

// authorizeStorage checks a bearer token issued for Storage's audience.
func (s *Server) authorizeStorage(r *http.Request) *armError {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !ok:
		return &armError{http.StatusUnauthorized, "NoAuthenticationInformation", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header."}
	case s.tokens[tok] == "":
		return &armError{http.StatusUnauthorized, "InvalidAuthenticationInfo", "Server failed to authenticate the request. The access token is invalid."}
	case !isStorageAudience(s.audiences[tok]):
		return &armError{http.StatusForbidden, "AuthenticationFailed", fmt.Sprintf("Server failed to authenticate the request. Audience validation failed: the token is for %s, not https://storage.azure.com.", s.audiences[tok])}
	}
	return nil
}

func isStorageAudience(scope string) bool {
	return strings.HasPrefix(strings.TrimSuffix(scope, "/.default"), "https://storage.azure.com")
}

// writeBlobError answers Storage's error, after reading what is left of
// the body: an answer that comes first leaves the client's transport
// still sending the body after the client has its answer, and a client
// that then reuses the body's buffer races with it.
func writeBlobError(w http.ResponseWriter, r *http.Request, e *armError) {
	io.Copy(io.Discard, r.Body)
	body := fmt.Sprintf("%s<Error><Code>%s</Code><Message>%s\nRequestId:sim\nTime:%s</Message></Error>",
		xml.Header, xmlEscape(e.code), xmlEscape(e.message), time.Now().UTC().Format(time.RFC3339Nano))
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("x-ms-error-code", e.code)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	io.WriteString(w, body)
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// etag is a new entity tag.
func (s *Server) etag() string { return fmt.Sprintf("\"0x8DC%013X\"", s.nextID()) }

var containerName = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9]){2,62}$`)

// metadataName is a C# identifier, as Storage requires of metadata names.
var metadataName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// metadata reads x-ms-meta-* headers.
func metadata(r *http.Request) (map[string]string, *armError) {
	m := map[string]string{}
	for k, v := range r.Header {
		name, ok := strings.CutPrefix(strings.ToLower(k), "x-ms-meta-")
		if !ok {
			continue
		}
		if !metadataName.MatchString(name) {
			return nil, badRequest("InvalidMetadata", "The metadata specified is invalid. It has characters that are not permitted: %q is not a C# identifier.", name)
		}
		m[name] = strings.Join(v, ",")
	}
	return m, nil
}

func metadataHeaders(h http.Header, m map[string]string) {
	for k, v := range m {
		h["x-ms-meta-"+k] = []string{v}
	}
}

func (s *Server) account(p blobPath) (*storageAccount, *armError) {
	a := s.accounts[p.account]
	if a == nil {
		return nil, &armError{http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The specified resource does not exist: there is no storage account %q.", p.account)}
	}
	return a, nil
}

func (s *Server) container(p blobPath) (*container, *armError) {
	a, err := s.account(p)
	if err != nil {
		return nil, err
	}
	c := a.containers[p.container]
	if c == nil {
		return nil, &armError{http.StatusNotFound, "ContainerNotFound", "The specified container does not exist."}
	}
	return c, nil
}

func (s *Server) blob(p blobPath) (*storedBlob, *armError) {
	c, err := s.container(p)
	if err != nil {
		return nil, err
	}
	b := c.blobs[p.blob]
	if b == nil {
		return nil, &armError{http.StatusNotFound, "BlobNotFound", "The specified blob does not exist."}
	}
	return b, nil
}
