package sim

import (
	"encoding/base64"
	"encoding/xml"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Blob storage's containers, and its lists: the containers of an account
// and the blobs of a container, paged by marker.

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
