package sim

import (
	"bytes"
	"crypto/md5"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/strata-os/strata/core/cloud/simblob"
)

// s3Store is the S3 simulator's storage, behind gofakes3 as its Backend
// and MultipartBackend. Uploaded bytes go to simblob files as they arrive
// and are never copied again: a part is a file, and completing a
// multipart upload makes the object of its parts' files as they are, as
// S3 itself answers CompleteMultipartUpload without rewriting the object.
// (gofakes3's own multipart uploads hold every part in memory and then
// copy them all into one object, twice a disk image's size.)
type s3Store struct {
	mu         sync.Mutex
	buckets    map[string]*s3Bucket
	uploads    map[gofakes3.UploadID]*s3Upload
	lastUpload uint64
}

var (
	_ gofakes3.Backend          = (*s3Store)(nil)
	_ gofakes3.MultipartBackend = (*s3Store)(nil)
)

func newS3Store() *s3Store {
	return &s3Store{buckets: map[string]*s3Bucket{}, uploads: map[gofakes3.UploadID]*s3Upload{}}
}

type s3Bucket struct {
	name    string
	created time.Time
	objects map[string]*s3Object
}

type s3Object struct {
	key      string
	meta     map[string]string
	modified time.Time
	// hash is the object's MD5, or for one made by a multipart upload the
	// MD5 of its parts' MD5s (S3's ETag for it, less the "-N" gofakes3's
	// Object has no room for).
	hash []byte
	// The bytes: data for an object a test planted, parts (joined) for
	// one sent over the wire.
	data  []byte
	parts []*simblob.Blob
	size  int64
}

func (o *s3Object) release() {
	for _, p := range o.parts {
		p.Release()
	}
}

func (o *s3Object) toObject(rng *gofakes3.ObjectRangeRequest, body bool) (*gofakes3.Object, error) {
	out := &gofakes3.Object{Name: o.key, Metadata: maps.Clone(o.meta), Size: o.size, Hash: o.hash, Contents: http.NoBody}
	if !body {
		return out, nil
	}
	r, err := rng.Range(o.size)
	if err != nil {
		return nil, err
	}
	out.Range = r
	start, n := int64(0), o.size
	if r != nil {
		start, n = r.Start, r.Length
	}
	if o.parts == nil {
		out.Contents = io.NopCloser(bytes.NewReader(o.data[start : start+n]))
	} else {
		out.Contents = simblob.Join(o.parts...).Open(start, n)
	}
	return out, nil
}

type s3Upload struct {
	id        gofakes3.UploadID
	bucket    string
	key       string
	meta      map[string]string
	initiated time.Time
	parts     map[int]*s3Part
}

type s3Part struct {
	blob     *simblob.Blob
	md5      []byte
	modified time.Time
}

func (p *s3Part) etag() string { return gofakes3.FormatETag(p.md5) }

// receive stores a request body in a new blob with its MD5: the one
// gofakes3 computed while checking the body's Content-MD5 if it did (its
// reader has a Sum), else one computed here; one pass either way.
func receive(input io.Reader, size int64) (*simblob.Blob, []byte, error) {
	b, err := simblob.New()
	if err != nil {
		return nil, nil, gofakes3.ErrorMessagef(gofakes3.ErrInternal, "store the body: %v", err)
	}
	summer, checked := input.(interface{ Sum([]byte) []byte })
	var h hash.Hash
	if !checked {
		h = md5.New()
		input = io.TeeReader(input, h)
	}
	n, err := b.Append(input)
	if err != nil {
		b.Release()
		var s3err gofakes3.Error
		var readErr *simblob.ReadError
		switch {
		case errors.As(err, &s3err):
			// BadDigest from gofakes3's Content-MD5 check.
			return nil, nil, s3err
		case errors.As(err, &readErr):
			return nil, nil, gofakes3.ErrorMessagef(gofakes3.ErrIncompleteBody, "%v", readErr)
		default:
			return nil, nil, gofakes3.ErrorMessagef(gofakes3.ErrInternal, "store the body: %v", err)
		}
	}
	if n != size {
		b.Release()
		return nil, nil, gofakes3.ErrorMessagef(gofakes3.ErrIncompleteBody, "received %d bytes, Content-Length says %d", n, size)
	}
	if checked {
		return b, summer.Sum(nil), nil
	}
	return b, h.Sum(nil), nil
}

func (s *s3Store) bucket(name string) (*s3Bucket, error) {
	b := s.buckets[name]
	if b == nil {
		return nil, gofakes3.BucketNotFound(name)
	}
	return b, nil
}

// put stores o in place of what was there.
func (b *s3Bucket) put(o *s3Object) {
	if old := b.objects[o.key]; old != nil {
		old.release()
	}
	b.objects[o.key] = o
}

// plant stores a test's object as if uploaded at modified.
func (s *s3Store) plant(bucket, key string, data []byte, meta map[string]string, modified time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[bucket] == nil {
		s.buckets[bucket] = &s3Bucket{name: bucket, created: modified, objects: map[string]*s3Object{}}
	}
	meta = maps.Clone(meta)
	meta["Last-Modified"] = modified.UTC().Format(http.TimeFormat)
	sum := md5.Sum(data)
	s.buckets[bucket].put(&s3Object{key: key, meta: meta, modified: modified, hash: sum[:], data: data, size: int64(len(data))})
}

func (s *s3Store) ListBuckets() ([]gofakes3.BucketInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []gofakes3.BucketInfo
	for _, name := range slices.Sorted(maps.Keys(s.buckets)) {
		out = append(out, gofakes3.BucketInfo{Name: name, CreationDate: gofakes3.NewContentTime(s.buckets[name].created)})
	}
	return out, nil
}

func (s *s3Store) ListBucket(name string, prefix *gofakes3.Prefix, page gofakes3.ListBucketPage) (*gofakes3.ObjectList, error) {
	if prefix == nil {
		prefix = &gofakes3.Prefix{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(name)
	if err != nil {
		return nil, err
	}
	keys := slices.Sorted(maps.Keys(b.objects))
	start := 0
	if page.HasMarker {
		start = sort.SearchStrings(keys, page.Marker)
		if start < len(keys) && keys[start] == page.Marker {
			start++
		}
	}
	out := gofakes3.NewObjectList()
	var match gofakes3.PrefixMatch
	var count int64
	lastPrefix := ""
	for i := start; i < len(keys); i++ {
		o := b.objects[keys[i]]
		if !prefix.Match(o.key, &match) {
			continue
		}
		if match.CommonPrefix {
			if match.MatchedPart == lastPrefix {
				continue // a common prefix counts once towards max-keys
			}
			out.AddPrefix(match.MatchedPart)
			lastPrefix = match.MatchedPart
		} else {
			out.Add(&gofakes3.Content{Key: o.key, LastModified: gofakes3.NewContentTime(o.modified), ETag: gofakes3.FormatETag(o.hash), Size: o.size})
		}
		count++
		if page.MaxKeys > 0 && count >= page.MaxKeys {
			out.NextMarker = o.key
			out.IsTruncated = i+1 < len(keys)
			break
		}
	}
	return out, nil
}

func (s *s3Store) CreateBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buckets[name] != nil {
		return gofakes3.ResourceError(gofakes3.ErrBucketAlreadyExists, name)
	}
	s.buckets[name] = &s3Bucket{name: name, created: time.Now().UTC(), objects: map[string]*s3Object{}}
	return nil
}

func (s *s3Store) BucketExists(name string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buckets[name] != nil, nil
}

func (s *s3Store) DeleteBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	if len(b.objects) > 0 {
		return gofakes3.ResourceError(gofakes3.ErrBucketNotEmpty, name)
	}
	delete(s.buckets, name)
	return nil
}

func (s *s3Store) ForceDeleteBucket(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(name)
	if err != nil {
		return err
	}
	for _, o := range b.objects {
		o.release()
	}
	delete(s.buckets, name)
	return nil
}

func (s *s3Store) object(bucket, key string) (*s3Object, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	o := b.objects[key]
	if o == nil {
		return nil, gofakes3.KeyNotFound(key)
	}
	return o, nil
}

func (s *s3Store) HeadObject(bucket, key string) (*gofakes3.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(bucket, key)
	if err != nil {
		return nil, err
	}
	return o.toObject(nil, false)
}

func (s *s3Store) GetObject(bucket, key string, rng *gofakes3.ObjectRangeRequest) (*gofakes3.Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, err := s.object(bucket, key)
	if err != nil {
		return nil, err
	}
	return o.toObject(rng, true)
}

func (s *s3Store) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64, conditions *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	// The body is stored before the lock is taken: a slow client holds
	// up only itself.
	blob, sum, err := receive(input, size)
	if err != nil {
		return gofakes3.PutObjectResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		blob.Release()
		return gofakes3.PutObjectResult{}, err
	}
	if conditions != nil {
		info := &gofakes3.ConditionalObjectInfo{}
		if old := b.objects[key]; old != nil {
			info.Exists, info.Hash = true, old.hash
		}
		if err := gofakes3.CheckPutConditions(conditions, info); err != nil {
			blob.Release()
			return gofakes3.PutObjectResult{}, err
		}
	}
	b.put(&s3Object{key: key, meta: meta, modified: time.Now().UTC(), hash: sum, parts: []*simblob.Blob{blob}, size: size})
	return gofakes3.PutObjectResult{}, nil
}

func (s *s3Store) CopyObject(srcBucket, srcKey, dstBucket, dstKey string, meta map[string]string) (gofakes3.CopyObjectResult, error) {
	return gofakes3.CopyObject(s, srcBucket, srcKey, dstBucket, dstKey, meta)
}

func (s *s3Store) DeleteObject(bucket, key string) (gofakes3.ObjectDeleteResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return gofakes3.ObjectDeleteResult{}, err
	}
	// S3 answers the same whether or not the key existed.
	if o := b.objects[key]; o != nil {
		o.release()
		delete(b.objects, key)
	}
	return gofakes3.ObjectDeleteResult{}, nil
}

func (s *s3Store) DeleteMulti(bucket string, keys ...string) (gofakes3.MultiDeleteResult, error) {
	var out gofakes3.MultiDeleteResult
	for _, key := range keys {
		if _, err := s.DeleteObject(bucket, key); err != nil {
			return out, err
		}
		out.Deleted = append(out.Deleted, gofakes3.ObjectID{Key: key})
	}
	return out, nil
}

func (s *s3Store) CreateMultipartUpload(bucket, key string, meta map[string]string) (gofakes3.UploadID, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucket(bucket); err != nil {
		return "", err
	}
	s.lastUpload++
	// Zero-padded, so later uploads sort after earlier ones as S3's
	// opaque IDs do not promise but clients that pick the newest assume.
	id := gofakes3.UploadID(fmt.Sprintf("%020d", s.lastUpload))
	s.uploads[id] = &s3Upload{id: id, bucket: bucket, key: key, meta: meta, initiated: time.Now().UTC(), parts: map[int]*s3Part{}}
	return id, nil
}

func (s *s3Store) upload(bucket, key string, id gofakes3.UploadID) (*s3Upload, error) {
	u := s.uploads[id]
	if u == nil || u.bucket != bucket || u.key != key {
		return nil, gofakes3.ErrNoSuchUpload
	}
	return u, nil
}

func (s *s3Store) UploadPart(bucket, key string, id gofakes3.UploadID, number int, size int64, input io.Reader) (string, error) {
	if number < 1 || number > gofakes3.MaxUploadPartNumber {
		return "", gofakes3.ErrInvalidPart
	}
	s.mu.Lock()
	_, err := s.upload(bucket, key, id)
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	blob, sum, err := receive(input, size)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.upload(bucket, key, id) // it may have been aborted meanwhile
	if err != nil {
		blob.Release()
		return "", err
	}
	if old := u.parts[number]; old != nil {
		old.blob.Release()
	}
	p := &s3Part{blob: blob, md5: sum, modified: time.Now().UTC()}
	u.parts[number] = p
	return p.etag(), nil
}

func (s *s3Store) ListParts(bucket, key string, id gofakes3.UploadID, marker int, limit int64) (*gofakes3.ListMultipartUploadPartsResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.upload(bucket, key, id)
	if err != nil {
		return nil, err
	}
	out := &gofakes3.ListMultipartUploadPartsResult{Bucket: bucket, Key: key, UploadID: id, MaxParts: limit, PartNumberMarker: marker, StorageClass: "STANDARD"}
	for _, n := range slices.Sorted(maps.Keys(u.parts)) {
		if n <= marker {
			continue
		}
		if limit > 0 && int64(len(out.Parts)) >= limit {
			out.IsTruncated = true
			break
		}
		p := u.parts[n]
		out.Parts = append(out.Parts, gofakes3.ListMultipartUploadPartItem{PartNumber: n, LastModified: gofakes3.NewContentTime(p.modified), ETag: p.etag(), Size: p.blob.Size()})
		out.NextPartNumberMarker = n
	}
	return out, nil
}

func (s *s3Store) ListMultipartUploads(bucket string, marker *gofakes3.UploadListMarker, prefix gofakes3.Prefix, limit int64) (*gofakes3.ListMultipartUploadsResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucket(bucket); err != nil {
		return nil, err
	}
	var ups []*s3Upload
	for _, u := range s.uploads {
		if u.bucket == bucket {
			ups = append(ups, u)
		}
	}
	// By key, then by when they began (IDs grow).
	slices.SortFunc(ups, func(a, b *s3Upload) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(string(a.id), string(b.id))
	})
	out := &gofakes3.ListMultipartUploadsResult{Bucket: bucket, Delimiter: prefix.Delimiter, Prefix: prefix.Prefix, MaxUploads: limit}
	if marker != nil {
		out.KeyMarker, out.UploadIDMarker = marker.Object, marker.UploadID
	}
	seen := map[string]bool{}
	var match gofakes3.PrefixMatch
	var count int64
	for _, u := range ups {
		if marker != nil && (u.key < marker.Object || u.key == marker.Object && (marker.UploadID == "" || u.id <= marker.UploadID)) {
			continue
		}
		if !prefix.Match(u.key, &match) {
			continue
		}
		if limit > 0 && count >= limit {
			out.IsTruncated = true
			break
		}
		if match.CommonPrefix {
			if !seen[match.MatchedPart] {
				seen[match.MatchedPart] = true
				out.CommonPrefixes = append(out.CommonPrefixes, match.AsCommonPrefix())
				count++
			}
			continue
		}
		out.Uploads = append(out.Uploads, gofakes3.ListMultipartUploadItem{Key: u.key, UploadID: u.id, StorageClass: "STANDARD", Initiated: gofakes3.NewContentTime(u.initiated)})
		out.NextKeyMarker, out.NextUploadIDMarker = u.key, u.id
		count++
	}
	return out, nil
}

func (s *s3Store) AbortMultipartUpload(bucket, key string, id gofakes3.UploadID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.upload(bucket, key, id)
	if err != nil {
		return err
	}
	for _, p := range u.parts {
		p.blob.Release()
	}
	delete(s.uploads, id)
	return nil
}

// S3 also refuses parts but the last under 5 MiB (EntityTooSmall, 400);
// gofakes3 has no way for a backend to answer a 400 of a code it does not
// know, so that rule is not simulated.
func (s *s3Store) CompleteMultipartUpload(bucket, key string, id gofakes3.UploadID, in *gofakes3.CompleteMultipartUploadRequest) (gofakes3.VersionID, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.upload(bucket, key, id)
	if err != nil {
		return "", "", err
	}
	b, err := s.bucket(bucket)
	if err != nil {
		return "", "", err
	}
	if len(in.Parts) == 0 {
		return "", "", gofakes3.ErrorMessagef(gofakes3.ErrMalformedXML, "a multipart upload is completed with at least one part")
	}
	var blobs []*simblob.Blob
	whole := md5.New()
	var size int64
	for i, cp := range in.Parts {
		if i > 0 && cp.PartNumber <= in.Parts[i-1].PartNumber {
			return "", "", gofakes3.ErrInvalidPartOrder
		}
		p := u.parts[cp.PartNumber]
		if p == nil {
			return "", "", gofakes3.ErrorMessagef(gofakes3.ErrInvalidPart, "part %d was not uploaded", cp.PartNumber)
		}
		if strings.Trim(cp.ETag, `"`) != strings.Trim(p.etag(), `"`) {
			return "", "", gofakes3.ErrorMessagef(gofakes3.ErrInvalidPart, "part %d has ETag %s, not %s", cp.PartNumber, p.etag(), cp.ETag)
		}
		blobs = append(blobs, p.blob)
		whole.Write(p.md5)
		size += p.blob.Size()
	}
	listed := map[int]bool{}
	for _, cp := range in.Parts {
		listed[cp.PartNumber] = true
	}
	for n, p := range u.parts {
		if !listed[n] {
			p.blob.Release()
		}
	}
	delete(s.uploads, id)
	// S3 dates an object made by a multipart upload from when the upload
	// began; gofakes3 put that date in the metadata then.
	hash := whole.Sum(nil)
	b.put(&s3Object{key: key, meta: u.meta, modified: u.initiated, hash: hash, parts: blobs, size: size})
	return "", fmt.Sprintf(`"%x-%d"`, hash, len(in.Parts)), nil
}
