package sim

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
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
	"time"
)

type bucket struct {
	name    string
	created time.Time
	objects map[string]*object
}

type object struct {
	name       string
	data       []byte
	metadata   map[string]string
	created    time.Time
	generation uint64
}

// upload is a resumable upload in progress.
type upload struct {
	bucket, name string
	metadata     map[string]string
	data         []byte
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
	s.buckets[bucketName].objects[name] = &object{name: name, data: data, metadata: metadata, created: created, generation: s.nextID()}
}

// Objects lists a bucket's objects by name.
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
		out = append(out, Object{Name: name, Size: len(o.data), Metadata: maps.Clone(o.metadata), Created: o.created, Data: o.data})
	}
	return out
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func objectJSON(b *bucket, o *object) map[string]any {
	md5sum := md5.Sum(o.data)
	crc := binary.BigEndian.AppendUint32(nil, crc32.Checksum(o.data, castagnoli))
	return map[string]any{
		"kind": "storage#object", "id": fmt.Sprintf("%s/%s/%d", b.name, o.name, o.generation),
		"name": o.name, "bucket": b.name, "size": strconv.Itoa(len(o.data)), "generation": fmt.Sprint(o.generation),
		"contentType": "application/octet-stream", "metadata": o.metadata,
		"md5Hash": base64.StdEncoding.EncodeToString(md5sum[:]), "crc32c": base64.StdEncoding.EncodeToString(crc),
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
	md5sum := md5.Sum(o.data)
	crc := binary.BigEndian.AppendUint32(nil, crc32.Checksum(o.data, castagnoli))
	h := http.Header{
		"Content-Type":                 {"application/octet-stream"},
		"X-Goog-Hash":                  {"crc32c=" + base64.StdEncoding.EncodeToString(crc) + ",md5=" + base64.StdEncoding.EncodeToString(md5sum[:])},
		"X-Goog-Generation":            {fmt.Sprint(o.generation)},
		"X-Goog-Metageneration":        {"1"},
		"X-Goog-Stored-Content-Length": {strconv.Itoa(len(o.data))},
		"X-Goog-Storage-Class":         {"STANDARD"},
		"Last-Modified":                {o.created.UTC().Format(http.TimeFormat)},
		"Etag":                         {fmt.Sprintf("%q", base64.StdEncoding.EncodeToString(md5sum[:]))},
		"Accept-Ranges":                {"bytes"},
	}
	m := byteRange.FindStringSubmatch(r.Header.Get("Range"))
	if m == nil {
		return rawResponse{status: http.StatusOK, header: h, body: o.data}
	}
	size := int64(len(o.data))
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
	return rawResponse{status: http.StatusPartialContent, header: h, body: o.data[start : end+1]}
}

func (s *Server) deleteObject(r *http.Request, _ []byte) (any, *apiError) {
	b, o, err := s.object(r)
	if err != nil {
		return nil, err
	}
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
	if r.URL.Query().Get("upload_id") != "" {
		// Google's Go client sends chunks with POST, others with PUT.
		return s.uploadChunk(r, body)
	}
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
		id := fmt.Sprintf("upload-%d", s.nextID())
		s.uploads[id] = &upload{bucket: b.name, name: meta.Name, metadata: meta.Metadata}
		loc := fmt.Sprintf("http://%s/upload/storage/v1/b/%s/o?uploadType=resumable&upload_id=%s", r.Host, b.name, id)
		return rawResponse{status: http.StatusOK, header: http.Header{"Location": {loc}}}, nil
	default:
		return nil, invalid("Invalid upload type %q", t)
	}
	if meta.Name == "" {
		return nil, &apiError{http.StatusBadRequest, "required", "Required object name"}
	}
	data = s.corrupt(data)
	if want, ok := crc32cHeader("crc32c=" + meta.CRC32C); ok && want != crc32.Checksum(data, castagnoli) {
		return nil, crcMismatch(meta.CRC32C)
	}
	return s.store(b, meta, data), nil
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

func (s *Server) store(b *bucket, meta objectMeta, data []byte) map[string]any {
	o := &object{name: meta.Name, data: data, metadata: meta.Metadata, created: s.opts.Now(), generation: s.nextID()}
	b.objects[o.name] = o
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
func (s *Server) uploadChunk(r *http.Request, body []byte) (any, *apiError) {
	id := r.URL.Query().Get("upload_id")
	u, ok := s.uploads[id]
	if !ok {
		return nil, notFound("No such upload session: %s", id)
	}
	m := contentRange.FindStringSubmatch(r.Header.Get("Content-Range"))
	if m == nil {
		return nil, invalid("Malformed Content-Range %q", r.Header.Get("Content-Range"))
	}
	if m[1] != "" {
		first, _ := strconv.Atoi(m[1])
		last, _ := strconv.Atoi(m[2])
		switch {
		case last-first+1 != len(body):
			return nil, invalid("Content-Range %q does not match the %d bytes sent", m[0], len(body))
		case first > len(u.data):
			return nil, invalid("Content-Range %q starts past the %d bytes received", m[0], len(u.data))
		}
		// A chunk sent again after a lost answer overlaps what arrived.
		u.data = append(u.data[:first], s.corrupt(body)...)
	}
	if m[3] != "*" {
		total, _ := strconv.Atoi(m[3])
		if total == len(u.data) {
			delete(s.uploads, id)
			if s.buckets[u.bucket] == nil {
				return nil, notFound("The specified bucket does not exist.")
			}
			if want, ok := crc32cHeader(r.Header.Get("X-Goog-Hash")); ok && want != crc32.Checksum(u.data, castagnoli) {
				return nil, crcMismatch(r.Header.Get("X-Goog-Hash"))
			}
			return s.store(s.buckets[u.bucket], objectMeta{Name: u.name, Metadata: u.metadata}, u.data), nil
		}
	}
	h := http.Header{"X-Guploader-Uploadid": {id}}
	if len(u.data) > 0 {
		h.Set("Range", fmt.Sprintf("bytes=0-%d", len(u.data)-1))
	}
	if r.Header.Get("X-Guploader-No-308") == "yes" {
		// The client asked not to get a 308, which HTTP libraries take
		// for a redirect: Cloud Storage then says it in a header.
		h.Set("X-Http-Status-Code-Override", "308")
		return rawResponse{status: http.StatusOK, header: h}, nil
	}
	return rawResponse{status: http.StatusPermanentRedirect, header: h}, nil
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
