package sim

import (
	"bytes"
	"fmt"
	"net/http"
	"net/textproto"
	"sync"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3 is an in-memory S3 (gofakes3, a real implementation of S3's REST
// protocol) that checks each part's Content-MD5 and, for bodies sent
// aws-chunked, their trailing x-amz-checksum-*. Multipart parts and
// objects are held in memory: a 1 GiB upload needs about 2 GiB.
type S3 struct {
	http.Handler
	backend gofakes3.Backend
	clock   *clock
}

// NewS3 returns an empty S3.
func NewS3() *S3 {
	c := &clock{}
	b := s3mem.New(s3mem.WithTimeSource(c))
	fake := gofakes3.New(b, gofakes3.WithIntegrityCheck(true), gofakes3.WithLogger(gofakes3.DiscardLog()), gofakes3.WithTimeSource(c))
	return &S3{Handler: awsChunked(fake.Server()), backend: b, clock: c}
}

// clock is S3's time: the real one, except while a test plants an object
// made in the past.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() {
		return c.at
	}
	return time.Now().UTC()
}

func (c *clock) Since(t time.Time) time.Duration { return c.Now().Sub(t) }

// AddObject stores an object as if uploaded at modified with the given
// user metadata, making the bucket if needed; for tests.
func (s *S3) AddObject(bucket, key string, data []byte, metadata map[string]string, modified time.Time) error {
	if err := s.backend.CreateBucket(bucket); err != nil && !gofakes3.IsAlreadyExists(err) {
		return fmt.Errorf("create bucket %s: %w", bucket, err)
	}
	meta := map[string]string{}
	for k, v := range metadata {
		meta[textproto.CanonicalMIMEHeaderKey("X-Amz-Meta-"+k)] = v
	}
	s.clock.mu.Lock()
	s.clock.at = modified.UTC()
	s.clock.mu.Unlock()
	defer func() {
		s.clock.mu.Lock()
		s.clock.at = time.Time{}
		s.clock.mu.Unlock()
	}()
	if _, err := s.backend.PutObject(bucket, key, meta, bytes.NewReader(data), int64(len(data)), nil); err != nil {
		return fmt.Errorf("put s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// Object reports an object's size, and whether it exists: the EC2
// simulator imports snapshots from it.
func (s *S3) Object(bucket, key string) (int64, bool) {
	o, err := s.backend.HeadObject(bucket, key)
	if err != nil {
		return 0, false
	}
	return o.Size, true
}

// ObjectStore is where the EC2 simulator finds objects to import.
type ObjectStore interface {
	Object(bucket, key string) (size int64, ok bool)
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
