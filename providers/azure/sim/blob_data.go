package sim

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/strata-os/strata/core/cloud/simblob"
)

// Blob storage's blobs: Put Blob, Put Page and Get Page Ranges, reads,
// properties, metadata and deletes; and what an image's VHD must be.

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

// blobIf is the blob a call names, if the call's If-Match condition
// holds for it (with the lock held).
func (s *Server) blobIf(r *http.Request, p blobPath) (*storedBlob, *armError) {
	b, err := s.blob(p)
	if err != nil {
		return nil, err
	}
	if cerr := conditions(r, b); cerr != nil {
		return nil, cerr
	}
	return b, nil
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
	b, err := s.blobIf(r, p)
	if err != nil {
		return blobAnswer{}, err
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
	b, err := s.blobIf(r, p)
	if err != nil {
		return blobAnswer{}, err
	}
	b.metadata, b.modified, b.etag = md, s.opts.Now(), s.etag()
	return blobAnswer{status: http.StatusOK, header: b.headers()}, nil
}

func (s *Server) deleteBlob(r *http.Request, p blobPath) (blobAnswer, *armError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.blobIf(r, p)
	if err != nil {
		return blobAnswer{}, err
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
