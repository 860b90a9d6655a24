package sim

import (
	"net/http"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// NewS3 is an in-memory S3 (gofakes3, a real implementation of S3's REST
// protocol) that checks each part's Content-MD5. Multipart parts and
// objects are held in memory: a 1 GiB upload needs about 2 GiB.
func NewS3() http.Handler {
	return gofakes3.New(s3mem.New(), gofakes3.WithIntegrityCheck(true), gofakes3.WithLogger(gofakes3.DiscardLog())).Server()
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
