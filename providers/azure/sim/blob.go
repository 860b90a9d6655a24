package sim

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
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

func (s *Server) createContainer(r *http.Request, p blobPath) (blobAnswer, *armError) {
	md, merr := metadata(r)
	if merr != nil {
		return blobAnswer{}, merr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(p)
	if err != nil {
		return blobAnswer{}, err
	}
	if !containerName.MatchString(p.container) {
		return blobAnswer{}, badRequest("InvalidResourceName", "The specifed resource name contains invalid characters: %q (3-63 lower-case letters, digits and single hyphens, starting with a letter or digit).", p.container)
	}
	if a.containers[p.container] != nil {
		return blobAnswer{}, &armError{http.StatusConflict, "ContainerAlreadyExists", "The specified container already exists."}
	}
	c := &container{name: p.container, metadata: md, modified: s.opts.Now(), etag: s.etag(), blobs: map[string]*storedBlob{}}
	a.containers[p.container] = c
	return blobAnswer{status: http.StatusCreated, header: c.headers()}, nil
}

func (c *container) headers() http.Header {
	h := http.Header{"Etag": {c.etag}, "Last-Modified": {c.modified.UTC().Format(http.TimeFormat)}}
	metadataHeaders(h, c.metadata)
	return h
}

func (s *Server) deleteContainer(r *http.Request, p blobPath) (blobAnswer, *armError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.container(p)
	if err != nil {
		return blobAnswer{}, err
	}
	c.release()
	delete(s.accounts[p.account].containers, p.container)
	return blobAnswer{status: http.StatusAccepted}, nil
}

func (s *Server) containerProperties(r *http.Request, p blobPath) (blobAnswer, *armError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.container(p)
	if err != nil {
		return blobAnswer{}, err
	}
	h := c.headers()
	h.Set("x-ms-lease-state", "available")
	h.Set("x-ms-lease-status", "unlocked")
	return blobAnswer{status: http.StatusOK, header: h}, nil
}

// listing is the paging of the Blob service's lists: marker, maxresults
// (the simulator's page size at most, so that clients page), prefix.
type listing struct {
	prefix, marker string
	max            int
}

func (s *Server) listingOf(r *http.Request) (listing, *armError) {
	q := r.URL.Query()
	l := listing{prefix: q.Get("prefix"), marker: q.Get("marker"), max: s.opts.PageSize}
	if v := q.Get("maxresults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return l, badRequest("OutOfRangeQueryParameterValue", "One of the query parameters specified in the request URI is outside the permissible range: maxresults=%s.", v)
		}
		l.max = min(n, l.max)
	}
	return l, nil
}

// page picks the names of one page, and the marker of the next ("" at
// the end).
func (l listing) page(names []string) ([]string, string) {
	slices.Sort(names)
	var out []string
	for _, n := range names {
		if !strings.HasPrefix(n, l.prefix) || n < l.marker {
			continue
		}
		if len(out) == l.max {
			return out, n
		}
		out = append(out, n)
	}
	return out, ""
}

type xmlMetadata map[string]string

func (m xmlMetadata) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if err := e.EncodeElement(m[k], xml.StartElement{Name: xml.Name{Local: k}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

func encodeXML(v any) []byte {
	b, err := xml.Marshal(v)
	if err != nil {
		panic(err) // the simulator's own types always encode
	}
	return append([]byte(xml.Header), b...)
}

func (s *Server) listContainers(r *http.Request, p blobPath) (blobAnswer, *armError) {
	l, lerr := s.listingOf(r)
	if lerr != nil {
		return blobAnswer{}, lerr
	}
	withMeta := strings.Contains(r.URL.Query().Get("include"), "metadata")
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(p)
	if err != nil {
		return blobAnswer{}, err
	}
	type props struct {
		LastModified string `xml:"Last-Modified"`
		Etag         string `xml:"Etag"`
		LeaseStatus  string `xml:"LeaseStatus"`
		LeaseState   string `xml:"LeaseState"`
	}
	type item struct {
		Name       string      `xml:"Name"`
		Properties props       `xml:"Properties"`
		Metadata   xmlMetadata `xml:"Metadata,omitempty"`
	}
	names, next := l.page(slices.Collect(maps.Keys(a.containers)))
	var items []item
	for _, n := range names {
		c := a.containers[n]
		it := item{Name: n, Properties: props{c.modified.UTC().Format(http.TimeFormat), c.etag, "unlocked", "available"}}
		if withMeta {
			it.Metadata = c.metadata
		}
		items = append(items, it)
	}
	return blobAnswer{status: http.StatusOK, body: encodeXML(struct {
		XMLName         xml.Name `xml:"EnumerationResults"`
		ServiceEndpoint string   `xml:"ServiceEndpoint,attr"`
		Prefix          string   `xml:"Prefix,omitempty"`
		Marker          string   `xml:"Marker,omitempty"`
		MaxResults      int      `xml:"MaxResults"`
		Containers      []item   `xml:"Containers>Container"`
		NextMarker      string   `xml:"NextMarker"`
	}{ServiceEndpoint: s.blobEndpoint(a.name), Prefix: l.prefix, Marker: l.marker, MaxResults: l.max, Containers: items, NextMarker: next})}, nil
}

func (s *Server) listBlobs(r *http.Request, p blobPath) (blobAnswer, *armError) {
	l, lerr := s.listingOf(r)
	if lerr != nil {
		return blobAnswer{}, lerr
	}
	withMeta := strings.Contains(r.URL.Query().Get("include"), "metadata")
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.container(p)
	if err != nil {
		return blobAnswer{}, err
	}
	type props struct {
		CreationTime  string `xml:"Creation-Time"`
		LastModified  string `xml:"Last-Modified"`
		Etag          string `xml:"Etag"`
		ContentLength int64  `xml:"Content-Length"`
		ContentType   string `xml:"Content-Type"`
		ContentMD5    string `xml:"Content-MD5"`
		BlobType      string `xml:"BlobType"`
		LeaseStatus   string `xml:"LeaseStatus"`
		LeaseState    string `xml:"LeaseState"`
	}
	type item struct {
		Name       string      `xml:"Name"`
		Properties props       `xml:"Properties"`
		Metadata   xmlMetadata `xml:"Metadata,omitempty"`
	}
	names, next := l.page(slices.Collect(maps.Keys(c.blobs)))
	var items []item
	for _, n := range names {
		b := c.blobs[n]
		it := item{Name: n, Properties: props{b.created.UTC().Format(http.TimeFormat), b.modified.UTC().Format(http.TimeFormat), b.etag,
			b.data.Size(), b.contentType, md5String(b.contentMD5), b.typ, "unlocked", "available"}}
		if withMeta {
			it.Metadata = b.metadata
		}
		items = append(items, it)
	}
	return blobAnswer{status: http.StatusOK, body: encodeXML(struct {
		XMLName         xml.Name `xml:"EnumerationResults"`
		ServiceEndpoint string   `xml:"ServiceEndpoint,attr"`
		ContainerName   string   `xml:"ContainerName,attr"`
		Prefix          string   `xml:"Prefix,omitempty"`
		Marker          string   `xml:"Marker,omitempty"`
		MaxResults      int      `xml:"MaxResults"`
		Blobs           []item   `xml:"Blobs>Blob"`
		NextMarker      string   `xml:"NextMarker"`
	}{ServiceEndpoint: s.blobEndpoint(p.account), ContainerName: c.name, Prefix: l.prefix, Marker: l.marker, MaxResults: l.max, Blobs: items, NextMarker: next})}, nil
}

func md5String(sum []byte) string {
	if len(sum) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(sum)
}

// putBlob makes a page blob of a given size (its pages written later)
// or a block blob from the body, replacing a blob of the name.
func (s *Server) putBlob(r *http.Request, p blobPath) (blobAnswer, *armError) {
	md, merr := metadata(r)
	if merr != nil {
		return blobAnswer{}, merr
	}
	if len(p.blob) > 1024 {
		return blobAnswer{}, badRequest("InvalidResourceName", "The specifed resource name length is not within the permissible limits (1024 characters).")
	}
	sentMD5, merr := headerMD5(r, "Content-MD5")
	if merr != nil {
		return blobAnswer{}, merr
	}
	b := &storedBlob{name: p.blob, typ: r.Header.Get("x-ms-blob-type"), metadata: md, contentType: r.Header.Get("x-ms-blob-content-type")}
	if b.contentType == "" {
		b.contentType = "application/octet-stream"
	}
	if b.contentMD5, merr = headerMD5(r, "x-ms-blob-content-md5"); merr != nil {
		return blobAnswer{}, merr
	}
	data, err := simblob.New()
	if err != nil {
		return blobAnswer{}, &armError{http.StatusInternalServerError, "InternalError", err.Error()}
	}
	b.data = data
	keep := false
	defer func() {
		if !keep {
			data.Release()
		}
	}()
	switch b.typ {
	case "PageBlob":
		if r.ContentLength > 0 {
			return blobAnswer{}, badRequest("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format: Content-Length must be 0 for a page blob's Put Blob.")
		}
		size, err := strconv.ParseInt(r.Header.Get("x-ms-blob-content-length"), 10, 64)
		if err != nil || size < 0 || size%pageSize != 0 || size > maxPageBlob {
			return blobAnswer{}, badRequest("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format: x-ms-blob-content-length %q is not a multiple of 512 up to 8 TiB.", r.Header.Get("x-ms-blob-content-length"))
		}
		if err := data.Resize(size); err != nil {
			return blobAnswer{}, &armError{http.StatusInternalServerError, "InternalError", err.Error()}
		}
	case "BlockBlob":
		if r.ContentLength > maxPutBlob {
			return blobAnswer{}, &armError{http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit."}
		}
		h := md5.New()
		n, err := data.Append(io.TeeReader(r.Body, h))
		s.blobBytesIn.Add(n)
		if err != nil {
			return blobAnswer{}, badRequest("InvalidInput", "reading the body: %v", err)
		}
		sum := h.Sum(nil)
		if sentMD5 != nil && !bytes.Equal(sentMD5, sum) {
			return blobAnswer{}, badRequest("Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
		}
		if b.contentMD5 == nil {
			b.contentMD5 = sum
		}
	case "":
		return blobAnswer{}, badRequest("MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.")
	default:
		return blobAnswer{}, badRequest("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format: x-ms-blob-type %q (the simulator has PageBlob and BlockBlob).", b.typ)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, cerr := s.container(p)
	if cerr != nil {
		return blobAnswer{}, cerr
	}
	old := c.blobs[p.blob]
	if old != nil && r.Header.Get("If-None-Match") == "*" {
		return blobAnswer{}, &armError{http.StatusConflict, "BlobAlreadyExists", "The specified blob already exists."}
	}
	if cerr := conditions(r, old); cerr != nil {
		return blobAnswer{}, cerr
	}
	b.created, b.modified, b.etag = s.opts.Now(), s.opts.Now(), s.etag()
	if old != nil {
		b.created = old.created
		old.data.Release()
	}
	c.blobs[p.blob] = b
	keep = true
	h := b.headers()
	if b.typ == "BlockBlob" {
		h.Set("Content-MD5", md5String(b.contentMD5))
	}
	h.Set("x-ms-request-server-encrypted", "true")
	return blobAnswer{status: http.StatusCreated, header: h}, nil
}

// conditions checks If-Match against a blob's entity tag.
func conditions(r *http.Request, b *storedBlob) *armError {
	m := r.Header.Get("If-Match")
	if m == "" || m == "*" && b != nil || b != nil && m == b.etag {
		return nil
	}
	return &armError{http.StatusPreconditionFailed, "ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met."}
}

func headerMD5(r *http.Request, name string) ([]byte, *armError) {
	v := r.Header.Get(name)
	if v == "" {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(sum) != md5.Size {
		return nil, badRequest("InvalidMd5", "The MD5 value specified in the request is invalid. The MD5 value must be 128 bits and Base64-encoded: %s.", name)
	}
	return sum, nil
}

func (b *storedBlob) headers() http.Header {
	h := http.Header{"Etag": {b.etag}, "Last-Modified": {b.modified.UTC().Format(http.TimeFormat)}}
	if b.typ == "PageBlob" {
		h.Set("x-ms-blob-sequence-number", "0")
	}
	return h
}

// byteRange reads x-ms-range (or Range): "bytes=START-END", END optional.
func byteRange(r *http.Request) (start, end int64, ok bool, err *armError) {
	v := r.Header.Get("x-ms-range")
	if v == "" {
		v = r.Header.Get("Range")
	}
	if v == "" {
		return 0, 0, false, nil
	}
	spec, found := strings.CutPrefix(v, "bytes=")
	from, to, dash := strings.Cut(spec, "-")
	start, e1 := strconv.ParseInt(from, 10, 64)
	end = -1
	var e2 error
	if to != "" {
		end, e2 = strconv.ParseInt(to, 10, 64)
	}
	if !found || !dash || e1 != nil || e2 != nil || start < 0 || to != "" && end < start {
		return 0, 0, false, badRequest("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format: range %q.", v)
	}
	return start, end, true, nil
}

// putPage writes or clears a 512-aligned range of a page blob. The body
// is read and checked before the lock is taken, and written after it is
// let go.
func (s *Server) putPage(r *http.Request, p blobPath) (blobAnswer, *armError) {
	start, end, ok, rerr := byteRange(r)
	if rerr != nil {
		return blobAnswer{}, rerr
	}
	if !ok || end < 0 {
		return blobAnswer{}, badRequest("MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-range.")
	}
	write := r.Header.Get("x-ms-page-write")
	if write != "update" && write != "clear" {
		return blobAnswer{}, badRequest("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format: x-ms-page-write %q (update or clear).", write)
	}
	if start%pageSize != 0 || (end+1)%pageSize != 0 {
		return blobAnswer{}, &armError{http.StatusRequestedRangeNotSatisfiable, "InvalidPageRange", fmt.Sprintf("The page range specified is invalid: bytes=%d-%d is not aligned to 512-byte pages.", start, end)}
	}
	n := end - start + 1
	var body []byte
	var sentMD5 []byte
	if write == "update" {
		if n > maxPageWrite {
			return blobAnswer{}, &armError{http.StatusRequestEntityTooLarge, "RequestBodyTooLarge", "The request body is too large and exceeds the maximum permissible limit (4 MiB)."}
		}
		if r.ContentLength != n {
			return blobAnswer{}, badRequest("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format: Content-Length %d is not the range's %d bytes.", r.ContentLength, n)
		}
		var merr *armError
		if sentMD5, merr = headerMD5(r, "Content-MD5"); merr != nil {
			return blobAnswer{}, merr
		}
		body = make([]byte, n)
		got, err := io.ReadFull(r.Body, body)
		s.blobBytesIn.Add(int64(got))
		if err != nil {
			return blobAnswer{}, badRequest("InvalidInput", "reading the body: %v", err)
		}
		if sentMD5 != nil {
			if sum := md5.Sum(body); !bytes.Equal(sum[:], sentMD5) {
				return blobAnswer{}, badRequest("Md5Mismatch", "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
			}
		}
	} else if r.ContentLength > 0 {
		return blobAnswer{}, badRequest("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format: Content-Length must be 0 to clear pages.")
	}
	s.mu.Lock()
	b, berr := s.blob(p)
	if berr == nil {
		berr = checkPageWrite(r, b, end)
	}
	if berr != nil {
		s.mu.Unlock()
		return blobAnswer{}, berr
	}
	data := b.data
	data.Acquire()
	s.mu.Unlock()
	defer data.Release()
	if write == "update" {
		if _, err := data.WriteAt(body, start); err != nil {
			return blobAnswer{}, &armError{http.StatusInternalServerError, "InternalError", err.Error()}
		}
	} else if _, err := data.WriteAt(make([]byte, n), start); err != nil {
		return blobAnswer{}, &armError{http.StatusInternalServerError, "InternalError", err.Error()}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if write == "update" {
		b.pages = b.pages.add(start, end+1)
	} else {
		b.pages = b.pages.clear(start, end+1)
	}
	b.modified, b.etag = s.opts.Now(), s.etag()
	h := b.headers()
	if sentMD5 != nil {
		h.Set("Content-MD5", md5String(sentMD5))
	}
	h.Set("x-ms-request-server-encrypted", "true")
	return blobAnswer{status: http.StatusCreated, header: h}, nil
}

func checkPageWrite(r *http.Request, b *storedBlob, end int64) *armError {
	if b.typ != "PageBlob" {
		return &armError{http.StatusConflict, "InvalidBlobType", "The blob type is invalid for this operation."}
	}
	if end >= b.data.Size() {
		return &armError{http.StatusRequestedRangeNotSatisfiable, "InvalidPageRange", fmt.Sprintf("The page range specified is invalid: it ends at %d, past the blob's %d bytes.", end, b.data.Size())}
	}
	return conditions(r, b)
}

// pageList is Get Page Ranges, paged by marker (the offset to go on
// from) and maxresults.
func (s *Server) pageList(r *http.Request, p blobPath) (blobAnswer, *armError) {
	start, end, ranged, rerr := byteRange(r)
	if rerr != nil {
		return blobAnswer{}, rerr
	}
	q := r.URL.Query()
	limit := 0
	if v := q.Get("maxresults"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return blobAnswer{}, badRequest("OutOfRangeQueryParameterValue", "One of the query parameters specified in the request URI is outside the permissible range: maxresults=%s.", v)
		}
		limit = n
	}
	if v := q.Get("marker"); v != "" {
		from, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return blobAnswer{}, badRequest("InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid: marker=%s.", v)
		}
		start = max(start, from)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.blob(p)
	if err != nil {
		return blobAnswer{}, err
	}
	if b.typ != "PageBlob" {
		return blobAnswer{}, &armError{http.StatusConflict, "InvalidBlobType", "The blob type is invalid for this operation."}
	}
	if !ranged || end < 0 {
		end = b.data.Size() - 1
	}
	type rng struct {
		Start int64 `xml:"Start"`
		End   int64 `xml:"End"`
	}
	var out []rng
	next := ""
	for _, pr := range b.pages.within(start, end+1) {
		if limit > 0 && len(out) == limit {
			next = strconv.FormatInt(pr.start, 10)
			break
		}
		out = append(out, rng{pr.start, pr.end - 1})
	}
	h := b.headers()
	h.Set("x-ms-blob-content-length", strconv.FormatInt(b.data.Size(), 10))
	return blobAnswer{status: http.StatusOK, header: h, body: encodeXML(struct {
		XMLName    xml.Name `xml:"PageList"`
		PageRange  []rng    `xml:"PageRange"`
		NextMarker string   `xml:"NextMarker"`
	}{PageRange: out, NextMarker: next})}, nil
}

// getBlob serves Get Blob and Get Blob Properties (HEAD): the properties
// as headers, and for GET the bytes, whole or the range asked for.
func (s *Server) getBlob(r *http.Request, p blobPath) (blobAnswer, *armError) {
	start, end, ranged, rerr := byteRange(r)
	if rerr != nil {
		return blobAnswer{}, rerr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.blob(p)
	if err != nil {
		return blobAnswer{}, err
	}
	size := b.data.Size()
	h := b.headers()
	h.Set("x-ms-blob-type", b.typ)
	h.Set("x-ms-creation-time", b.created.UTC().Format(http.TimeFormat))
	h.Set("x-ms-lease-state", "available")
	h.Set("x-ms-lease-status", "unlocked")
	h.Set("x-ms-server-encrypted", "true")
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Type", b.contentType)
	if b.contentMD5 != nil {
		h.Set("Content-MD5", md5String(b.contentMD5))
	}
	metadataHeaders(h, b.metadata)
	status := http.StatusOK
	if r.Method == http.MethodGet && ranged {
		if start >= size {
			return blobAnswer{}, &armError{http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The range specified is invalid for the current size of the resource."}
		}
		if end < 0 || end >= size {
			end = size - 1
		}
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size))
	} else {
		start, end = 0, size-1
	}
	h.Set("Content-Length", strconv.FormatInt(end-start+1, 10))
	b.data.Acquire()
	data := b.data
	return blobAnswer{status: status, header: h, stream: releasing{io.NewSectionReader(data, start, end-start+1), data}}, nil
}

// releasing reads a blob's bytes and lets the blob go when closed.
type releasing struct {
	io.Reader
	data *simblob.Blob
}

func (r releasing) Close() error { r.data.Release(); return nil }

// setBlobProperties is Set Blob Properties: the HTTP properties (all of
// them: what is not sent is cleared, as Storage does) and a page blob's
// size.
func (s *Server) setBlobProperties(r *http.Request, p blobPath) (blobAnswer, *armError) {
	sum, merr := headerMD5(r, "x-ms-blob-content-md5")
	if merr != nil {
		return blobAnswer{}, merr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.blob(p)
	if err != nil {
		return blobAnswer{}, err
	}
	if cerr := conditions(r, b); cerr != nil {
		return blobAnswer{}, cerr
	}
	if v := r.Header.Get("x-ms-blob-content-length"); v != "" {
		size, perr := strconv.ParseInt(v, 10, 64)
		if b.typ != "PageBlob" || perr != nil || size < 0 || size%pageSize != 0 || size > maxPageBlob {
			return blobAnswer{}, badRequest("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format: x-ms-blob-content-length %q (a page blob's size, a multiple of 512).", v)
		}
		if rerr := b.data.Resize(size); rerr != nil {
			return blobAnswer{}, &armError{http.StatusInternalServerError, "InternalError", rerr.Error()}
		}
		b.pages = b.pages.clear(size, maxPageBlob)
	}
	b.contentMD5, b.contentType = sum, r.Header.Get("x-ms-blob-content-type")
	b.modified, b.etag = s.opts.Now(), s.etag()
	return blobAnswer{status: http.StatusOK, header: b.headers()}, nil
}

func (s *Server) setBlobMetadata(r *http.Request, p blobPath) (blobAnswer, *armError) {
	md, merr := metadata(r)
	if merr != nil {
		return blobAnswer{}, merr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.blob(p)
	if err != nil {
		return blobAnswer{}, err
	}
	if cerr := conditions(r, b); cerr != nil {
		return blobAnswer{}, cerr
	}
	b.metadata, b.modified, b.etag = md, s.opts.Now(), s.etag()
	return blobAnswer{status: http.StatusOK, header: b.headers()}, nil
}

func (s *Server) deleteBlob(r *http.Request, p blobPath) (blobAnswer, *armError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.blob(p)
	if err != nil {
		return blobAnswer{}, err
	}
	if cerr := conditions(r, b); cerr != nil {
		return blobAnswer{}, cerr
	}
	b.data.Release()
	delete(s.accounts[p.account].containers[p.container].blobs, p.blob)
	return blobAnswer{status: http.StatusAccepted, header: http.Header{"X-Ms-Delete-Type-Permanent": {"true"}}}, nil
}

// checkImageBlob checks the VHD an image is made from, when it is in
// this simulator's storage (a blob elsewhere is taken as it is): it must
// be there, a page blob, and a fixed VHD whose size is a whole number of
// MiB, as Azure requires.
func (s *Server) checkImageBlob(uri string) *armError {
	const target = "properties.storageProfile.osDisk.blobUri"
	u, err := url.Parse(uri)
	if err != nil || s.base == "" || u.Scheme+"://"+u.Host != s.base {
		return nil
	}
	p := parseBlobPath(u.Path)
	if s.accounts[p.account] == nil {
		return invalidParam(target, "The storage account '%s' of blob %s does not exist.", p.account, uri)
	}
	b := s.findBlob(p.account, p.container, p.blob)
	switch {
	case b == nil:
		return invalidParam(target, "The blob %s does not exist.", uri)
	case b.typ != "PageBlob":
		return invalidParam(target, "The blob %s is a %s; an image's VHD must be a page blob.", uri, b.typ)
	}
	size := b.data.Size()
	footer := make([]byte, 512)
	if size < 512 {
		return invalidParam(target, "The VHD %s is %d bytes, too small to be a VHD.", uri, size)
	}
	if _, err := b.data.ReadAt(footer, size-512); err != nil && err != io.EOF {
		return &armError{http.StatusInternalServerError, "InternalError", err.Error()}
	}
	switch {
	case string(footer[:8]) != "conectix":
		return invalidParam(target, "The VHD %s has no VHD footer (cookie 'conectix'): is it a raw disk or a qcow2?", uri)
	case binary.BigEndian.Uint32(footer[60:64]) != 2:
		return invalidParam(target, "The VHD %s is not a fixed VHD (its disk type is %d); Azure takes fixed VHDs only.", uri, binary.BigEndian.Uint32(footer[60:64]))
	case (size-512)%(1<<20) != 0:
		return invalidParam(target, "The VHD %s has a virtual size of %d bytes, not a whole number of MiB.", uri, size-512)
	}
	return nil
}
