package sim

import (
	"net/http"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3 is an in-memory S3 (gofakes3, a real implementation of S3's REST
// protocol) that checks each part's Content-MD5. Multipart parts and
// objects are held in memory: a 1 GiB upload needs about 2 GiB.
type S3 struct {
	http.Handler
	backend gofakes3.Backend
}

// NewS3 returns an empty S3.
func NewS3() *S3 {
	b := s3mem.New()
	return &S3{Handler: gofakes3.New(b, gofakes3.WithIntegrityCheck(true), gofakes3.WithLogger(gofakes3.DiscardLog())).Server(), backend: b}
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
