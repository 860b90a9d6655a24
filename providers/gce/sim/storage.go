package sim

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/strata-os/strata/core/cloud/simblob"
)

type bucket struct {
	name    string
	created time.Time
	objects map[string]*object
}

// object is a stored object. Its bytes are data when they came in one
// request (or a test planted them), or a blob, on disk, when they came in
// a resumable upload's chunks, as disk images do; its hashes are computed
// once, as the bytes arrive.
type object struct {
	name       string
	data       []byte
	blob       *simblob.Blob
	size       int64
	md5        [md5.Size]byte
	crc32c     uint32
	metadata   map[string]string
	created    time.Time
	generation uint64
}

func newObject(name string, data []byte) *object {
	return &object{name: name, data: data, size: int64(len(data)), md5: md5.Sum(data), crc32c: crc32.Checksum(data, castagnoli)}
}

// open reads n bytes of the object from off; the blob, if any, stays
// readable until the reader is closed, even if the object is deleted.
func (o *object) open(off, n int64) io.ReadCloser {
	if o.blob == nil {
		return io.NopCloser(bytes.NewReader(o.data[off : off+n]))
	}
	return simblob.Join(o.blob).Open(off, n)
}

// head is the object's first n bytes (fewer if it is shorter).
func (o *object) head(n int64) []byte {
	r := o.open(0, min(n, o.size))
	defer r.Close()
	b, _ := io.ReadAll(r)
	return b
}

func (o *object) release() {
	if o.blob != nil {
		o.blob.Release()
	}
}

// upload is a resumable upload in progress. Its chunks are written to
// blob as they arrive, one at a time (mu), and hashed behind the writer.
type upload struct {
	bucket, name string
	metadata     map[string]string

	mu     sync.Mutex
	blob   *simblob.Blob
	hashes *lagHash
}

// Object is a simulated object as a test sees it.
type Object struct {
	Name     string
	Size     int
	Metadata map[string]string
	Created  time.Time
	Data     []byte
}

// AddBucket makes an empty bucket.
func (s *Server) AddBucket(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buckets[name] = &bucket{name: name, created: s.opts.Now(), objects: map[string]*object{}}
}

// AddObject stores an object, as if uploaded at created.
func (s *Server) AddObject(bucketName, name string, data []byte, metadata map[string]string, created time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := newObject(name, data)
	o.metadata, o.created, o.generation = metadata, created, s.nextID()
	s.buckets[bucketName].put(o)
}

// put stores o in place of what was there.
func (b *bucket) put(o *object) {
	if old := b.objects[o.name]; old != nil {
		old.release()
	}
	b.objects[o.name] = o
}

// Objects lists a bucket's objects by name, with their bytes (read from
// disk for one uploaded in chunks: for tests' small objects).
func (s *Server) Objects(bucketName string) []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucketName]
	if b == nil {
		return nil
	}
	var out []Object
	for _, name := range slices.Sorted(maps.Keys(b.objects)) {
		o := b.objects[name]
		out = append(out, Object{Name: name, Size: int(o.size), Metadata: maps.Clone(o.metadata), Created: o.created, Data: o.head(o.size)})
	}
	return out
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func objectJSON(b *bucket, o *object) map[string]any {
	crc := binary.BigEndian.AppendUint32(nil, o.crc32c)
	return map[string]any{
		"kind": "storage#object", "id": fmt.Sprintf("%s/%s/%d", b.name, o.name, o.generation),
		"name": o.name, "bucket": b.name, "size": strconv.FormatInt(o.size, 10), "generation": fmt.Sprint(o.generation),
		"contentType": "application/octet-stream", "metadata": o.metadata,
		"md5Hash": base64.StdEncoding.EncodeToString(o.md5[:]), "crc32c": base64.StdEncoding.EncodeToString(crc),
		"timeCreated": o.created.Format(time.RFC3339Nano), "updated": o.created.Format(time.RFC3339Nano),
	}
}

func (s *Server) bucket(r *http.Request) (*bucket, *apiError) {
	b, ok := s.buckets[r.PathValue("bucket")]
	if !ok {
		return nil, notFound("The specified bucket does not exist.")
	}
	return b, nil
}

func (s *Server) getBucket(r *http.Request, _ []byte) (any, *apiError) {
	b, err := s.bucket(r)
	if err != nil {
		return nil, err
	}
	return map[string]any{"kind": "storage#bucket", "id": b.name, "name": b.name, "location": "US", "timeCreated": b.created.Format(time.RFC3339Nano)}, nil
}

func (s *Server) listObjects(r *http.Request, _ []byte) (any, *apiError) {
	b, err := s.bucket(r)
	if err != nil {
		return nil, err
	}
	prefix := r.URL.Query().Get("prefix")
	var all []map[string]any
	for _, name := range slices.Sorted(maps.Keys(b.objects)) {
		if strings.HasPrefix(name, prefix) {
			all = append(all, objectJSON(b, b.objects[name]))
		}
	}
	items, next, err := page(s, r, all)
	if err != nil {
		return nil, err
	}
	return map[string]any{"kind": "storage#objects", "items": items, "nextPageToken": next}, nil
}

func (s *Server) object(r *http.Request) (*bucket, *object, *apiError) {
	b, err := s.bucket(r)
	if err != nil {
		return nil, nil, err
	}
	o, ok := b.objects[r.PathValue("object")]
	if !ok {
		return nil, nil, notFound("No such object: %s/%s", b.name, r.PathValue("object"))
	}
	return b, o, nil
}

func (s *Server) getObject(r *http.Request, _ []byte) (any, *apiError) {
	b, o, err := s.object(r)
	if err != nil {
		return nil, err
	}
	if r.URL.Query().Get("alt") == "media" {
		return media(r, o), nil
	}
	return objectJSON(b, o), nil
}

// getObjectXML is a read through the XML API (GET /BUCKET/OBJECT), the
// way Google's Go client reads by default; its errors are XML.
func (s *Server) getObjectXML(r *http.Request, _ []byte) (any, *apiError) {
	b, ok := s.buckets[r.PathValue("bucket")]
	if !ok {
		return xmlError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist."), nil
	}
	o, ok := b.objects[r.PathValue("object")]
	if !ok {
		return xmlError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist."), nil
	}
	return media(r, o), nil
}

func xmlError(status int, code, msg string) rawResponse {
	return rawResponse{status: status, header: http.Header{"Content-Type": {"application/xml; charset=UTF-8"}},
		body: fmt.Appendf(nil, "<?xml version='1.0' encoding='UTF-8'?><Error><Code>%s</Code><Message>%s</Message></Error>", code, msg)}
}

var byteRange = regexp.MustCompile(`^bytes=([0-9]+)-([0-9]*)$`)

// media is an object's data as both APIs send it: with the hashes of the
// whole object in x-goog-hash (clients check a whole read against them),
// its generation, and a single byte range when asked for one.
func media(r *http.Request, o *object) rawResponse {
	crc := binary.BigEndian.AppendUint32(nil, o.crc32c)
	h := http.Header{
		"Content-Type":                 {"application/octet-stream"},
		"X-Goog-Hash":                  {"crc32c=" + base64.StdEncoding.EncodeToString(crc) + ",md5=" + base64.StdEncoding.EncodeToString(o.md5[:])},
		"X-Goog-Generation":            {fmt.Sprint(o.generation)},
		"X-Goog-Metageneration":        {"1"},
		"X-Goog-Stored-Content-Length": {strconv.FormatInt(o.size, 10)},
		"X-Goog-Storage-Class":         {"STANDARD"},
		"Last-Modified":                {o.created.UTC().Format(http.TimeFormat)},
		"Etag":                         {fmt.Sprintf("%q", base64.StdEncoding.EncodeToString(o.md5[:]))},
		"Accept-Ranges":                {"bytes"},
	}
	m := byteRange.FindStringSubmatch(r.Header.Get("Range"))
	if m == nil {
		return rawResponse{status: http.StatusOK, header: h, content: o.open(0, o.size), length: o.size}
	}
	size := o.size
	start, _ := strconv.ParseInt(m[1], 10, 64)
	end := size - 1
	if m[2] != "" {
		end, _ = strconv.ParseInt(m[2], 10, 64)
	}
	end = min(end, size-1)
	if start >= size || start > end {
		h.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		return rawResponse{status: http.StatusRequestedRangeNotSatisfiable, header: h}
	}
	h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size))
	return rawResponse{status: http.StatusPartialContent, header: h, content: o.open(start, end+1-start), length: end + 1 - start}
}

func (s *Server) deleteObject(r *http.Request, _ []byte) (any, *apiError) {
	b, o, err := s.object(r)
	if err != nil {
		return nil, err
	}
	o.release()
	delete(b.objects, o.name)
	return nil, nil
}

// objectMeta is the object resource an upload starts with.
type objectMeta struct {
	Name     string            `json:"name"`
	Metadata map[string]string `json:"metadata"`
	CRC32C   string            `json:"crc32c"`
}

// insertObject is the start of an upload: multipart (metadata and data in
// one request), media (data only) or resumable (metadata now, data in
// chunks to the session URI answered in Location).
func (s *Server) insertObject(r *http.Request, body []byte) (any, *apiError) {
	b, err := s.bucket(r)
	if err != nil {
		return nil, err
	}
	var meta objectMeta
	var data []byte
	switch t := r.URL.Query().Get("uploadType"); t {
	case "media":
		meta.Name, data = r.URL.Query().Get("name"), body
	case "multipart":
		if meta, data, err = readMultipart(r, body); err != nil {
			return nil, err
		}
	case "resumable":
		if len(body) > 0 {
			if err := decode(body, &meta); err != nil {
				return nil, err
			}
		}
		if meta.Name == "" {
			meta.Name = r.URL.Query().Get("name")
		}
		if meta.Name == "" {
			return nil, &apiError{http.StatusBadRequest, "required", "Required object name"}
		}
		blob, berr := simblob.New()
		if berr != nil {
			return nil, &apiError{http.StatusInternalServerError, "internalError", berr.Error()}
		}
		id := fmt.Sprintf("upload-%d", s.nextID())
		s.uploads[id] = &upload{bucket: b.name, name: meta.Name, metadata: meta.Metadata, blob: blob, hashes: newLagHash(blob)}
		loc := fmt.Sprintf("http://%s/upload/storage/v1/b/%s/o?uploadType=resumable&upload_id=%s", r.Host, b.name, id)
		return rawResponse{status: http.StatusOK, header: http.Header{"Location": {loc}}}, nil
	default:
		return nil, invalid("Invalid upload type %q", t)
	}
	if meta.Name == "" {
		return nil, &apiError{http.StatusBadRequest, "required", "Required object name"}
	}
	o := newObject(meta.Name, s.corrupt(data))
	if want, ok := crc32cHeader("crc32c=" + meta.CRC32C); ok && want != o.crc32c {
		return nil, crcMismatch(meta.CRC32C)
	}
	return s.store(b, o, meta.Metadata), nil
}

// corrupt flips a byte when the test asks for broken uploads.
func (s *Server) corrupt(data []byte) []byte {
	if !s.corrupting || len(data) == 0 {
		return data
	}
	data = bytes.Clone(data)
	data[len(data)/2] ^= 0xff
	return data
}

func crcMismatch(sent string) *apiError {
	return &apiError{http.StatusBadRequest, "invalid", fmt.Sprintf("Provided CRC32C %q doesn't match calculated CRC32C", sent)}
}

func (s *Server) store(b *bucket, o *object, metadata map[string]string) map[string]any {
	o.metadata, o.created, o.generation = metadata, s.opts.Now(), s.nextID()
	b.put(o)
	return objectJSON(b, o)
}

func readMultipart(r *http.Request, body []byte) (objectMeta, []byte, *apiError) {
	var meta objectMeta
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || params["boundary"] == "" {
		return meta, nil, invalid("multipart upload without a boundary: %v", err)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var parts [][]byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return meta, nil, invalid("malformed multipart body: %v", err)
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return meta, nil, invalid("malformed multipart body: %v", err)
		}
		parts = append(parts, b)
	}
	if len(parts) != 2 {
		return meta, nil, invalid("a multipart upload has 2 parts, not %d", len(parts))
	}
	if err := json.Unmarshal(parts[0], &meta); err != nil {
		return meta, nil, invalid("malformed object metadata: %v", err)
	}
	return meta, parts[1], nil
}

// contentRange is "bytes FIRST-LAST/TOTAL", "bytes FIRST-LAST/*" or
// "bytes */TOTAL".
var contentRange = regexp.MustCompile(`^bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)$`)

// uploadChunk takes one chunk of a resumable upload (or, empty, asks how
// far it got): 308 with what has arrived until the last, then the object.
// It runs without the server's lock while the chunk streams to disk, so a
// chunk of a disk image holds up nothing else.
func (s *Server) uploadChunk(r *http.Request) (any, *apiError) {
	id := r.URL.Query().Get("upload_id")
	s.mu.Lock()
	u, ok := s.uploads[id]
	corrupting := s.corrupting
	s.mu.Unlock()
	if !ok {
		return nil, notFound("No such upload session: %s", id)
	}
	m := contentRange.FindStringSubmatch(r.Header.Get("Content-Range"))
	if m == nil {
		return nil, invalid("Malformed Content-Range %q", r.Header.Get("Content-Range"))
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if m[1] != "" {
		first, _ := strconv.ParseInt(m[1], 10, 64)
		last, _ := strconv.ParseInt(m[2], 10, 64)
		if err := u.receive(r.Body, first, last-first+1, corrupting); err != nil {
			return nil, err
		}
	}
	size := u.blob.Size()
	if m[3] != "*" {
		total, _ := strconv.ParseInt(m[3], 10, 64)
		if total == size {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.uploads[id] != u {
				return nil, notFound("No such upload session: %s", id)
			}
			delete(s.uploads, id)
			b := s.buckets[u.bucket]
			if b == nil {
				u.blob.Release()
				return nil, notFound("The specified bucket does not exist.")
			}
			sum, crc, err := u.hashes.sums()
			if err != nil {
				u.blob.Release()
				return nil, &apiError{http.StatusInternalServerError, "internalError", "hash the upload: " + err.Error()}
			}
			if want, ok := crc32cHeader(r.Header.Get("X-Goog-Hash")); ok && want != crc {
				u.blob.Release()
				return nil, crcMismatch(r.Header.Get("X-Goog-Hash"))
			}
			o := &object{name: u.name, blob: u.blob, size: size, md5: sum, crc32c: crc}
			return s.store(b, o, u.metadata), nil
		}
	}
	h := http.Header{"X-Guploader-Uploadid": {id}}
	if size > 0 {
		h.Set("Range", fmt.Sprintf("bytes=0-%d", size-1))
	}
	if r.Header.Get("X-Guploader-No-308") == "yes" {
		// The client asked not to get a 308, which HTTP libraries take
		// for a redirect: Cloud Storage then says it in a header.
		h.Set("X-Http-Status-Code-Override", "308")
		return rawResponse{status: http.StatusOK, header: h}, nil
	}
	return rawResponse{status: http.StatusPermanentRedirect, header: h}, nil
}

// receive writes a chunk of n bytes at first, hashing it on the way.
func (u *upload) receive(body io.Reader, first, n int64, corrupting bool) *apiError {
	if first > u.blob.Size() {
		return invalid("Content-Range starts at %d, past the %d bytes received", first, u.blob.Size())
	}
	if first < u.blob.Size() {
		// A chunk sent again after a lost answer overlaps what arrived.
		if err := u.cut(first); err != nil {
			return err
		}
	}
	if corrupting {
		body = flipByte(body, n/2)
	}
	got, err := u.blob.Append(io.LimitReader(body, n+1))
	var fail *apiError
	var readErr *simblob.ReadError
	switch {
	case errors.As(err, &readErr):
		fail = &apiError{http.StatusBadRequest, "badRequest", readErr.Error()}
	case err != nil:
		fail = &apiError{http.StatusInternalServerError, "internalError", err.Error()}
	case got != n:
		fail = invalid("Content-Range says %d bytes, %d were sent", n, min(got, n+1))
	}
	if fail != nil {
		// Nothing of a refused chunk is kept.
		if err := u.cut(first); err != nil {
			return err
		}
		return fail
	}
	u.hashes.advance(u.blob.Size())
	return nil
}

// cut drops what arrived from off on.
func (u *upload) cut(off int64) *apiError {
	u.hashes.cut(off)
	if err := u.blob.Truncate(off); err != nil {
		return &apiError{http.StatusInternalServerError, "internalError", err.Error()}
	}
	return nil
}

// flipByte corrupts the byte at off of what r reads, as a broken network
// path would.
func flipByte(r io.Reader, off int64) io.Reader {
	return &flipper{r: r, at: off}
}

type flipper struct {
	r   io.Reader
	pos int64
	at  int64
}

func (f *flipper) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if f.at >= f.pos && f.at < f.pos+int64(n) {
		p[f.at-f.pos] ^= 0xff
	}
	f.pos += int64(n)
	return n, err
}

// crc32cHeader reads the crc32c of an X-Goog-Hash header
// ("crc32c=BASE64,md5=BASE64").
func crc32cHeader(h string) (uint32, bool) {
	for _, kv := range strings.Split(h, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(kv), "crc32c="); ok {
			b, err := base64.StdEncoding.DecodeString(v)
			if err == nil && len(b) == 4 {
				return binary.BigEndian.Uint32(b), true
			}
		}
	}
	return 0, false
}
