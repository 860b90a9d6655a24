package sim

import (
	"io"
	"net/http"
	"net/textproto"
	"time"

	"github.com/johannesboyne/gofakes3"
)

// S3 is an S3 (gofakes3, a real implementation of S3's REST protocol,
// over strata's s3Store) that checks each part's Content-MD5 and, for
// bodies sent aws-chunked, their trailing x-amz-checksum-*. Uploaded bytes
// are kept in unlinked temporary files, not memory: an upload of a disk
// image costs the simulator disk space, which is freed when the object is
// deleted or the process ends.
type S3 struct {
	http.Handler
	store *s3Store
}

// NewS3 returns an empty S3.
func NewS3() *S3 {
	store := newS3Store()
	fake := gofakes3.New(store, gofakes3.WithIntegrityCheck(true), gofakes3.WithLogger(gofakes3.DiscardLog()))
	return &S3{Handler: awsChunked(fake.Server()), store: store}
}

// AddObject stores an object as if uploaded at modified with the given
// user metadata, making the bucket if needed; for tests.
func (s *S3) AddObject(bucket, key string, data []byte, metadata map[string]string, modified time.Time) {
	meta := map[string]string{}
	for k, v := range metadata {
		meta[textproto.CanonicalMIMEHeaderKey("X-Amz-Meta-"+k)] = v
	}
	s.store.plant(bucket, key, data, meta, modified)
}

// Object reports an object's size, and whether it exists: the EC2
// simulator imports snapshots from it.
func (s *S3) Object(bucket, key string) (int64, bool) {
	o, err := s.store.HeadObject(bucket, key)
	if err != nil {
		return 0, false
	}
	return o.Size, true
}

// Open reads an object: the box keeps an imported snapshot's bytes.
func (s *S3) Open(bucket, key string) (io.ReadCloser, error) {
	o, err := s.store.GetObject(bucket, key, nil)
	if err != nil {
		return nil, err
	}
	return o.Contents, nil
}

// ObjectStore is where the EC2 simulator finds objects to import.
type ObjectStore interface {
	Object(bucket, key string) (size int64, ok bool)
	Open(bucket, key string) (io.ReadCloser, error)
}

// Handler serves EC2 and S3 on one address, as ore aws simulate does: the
// EC2 query protocol posts to "/", S3's path-style requests name a bucket.
func Handler(ec2 *Server, s3 http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/" {
			ec2.ServeHTTP(w, r)
			return
		}
		s3.ServeHTTP(w, r)
	})
}
