package sim

import (
	"net/http"
	"regexp"
	"sync"
)

// Cloud is a simulated AWS account: EC2 in every region (each made when
// first asked for, all with the same Options), one S3 and IAM. Its
// Handler tells the service and region apart the way AWS's endpoints do,
// here by the credential scope of the request's SigV4 signature, so one
// address serves them all.
type Cloud struct {
	S3  *S3
	IAM *IAM

	opts    Options
	lock    sync.Mutex // the regions' shared state lock
	mu      sync.Mutex // guards regions
	regions map[string]*Server
}

// NewCloud returns an empty account. Imports in every region read from
// its S3.
func NewCloud(opts Options) *Cloud {
	c := &Cloud{S3: NewS3(), IAM: NewIAM(), regions: map[string]*Server{}}
	opts.S3 = c.S3
	c.opts = opts
	return c
}

// Region is EC2 in one region.
func (c *Cloud) Region(name string) *Server {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.regions[name]; ok {
		return s
	}
	s := New(c.opts)
	s.mu, s.region = &c.lock, name
	s.peer = func(region string) *Server {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.regions[region]
	}
	c.regions[name] = s
	return s
}

// scope is a SigV4 credential scope: key ID / date / region / service.
var scope = regexp.MustCompile(`Credential=[^/,]+/[0-9]+/([^/]+)/([^/]+)/aws4_request`)

// Handler serves EC2 (any region), IAM and S3 on one address.
func (c *Cloud) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		region, service := "us-east-1", ""
		if m := scope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			region, service = m[1], m[2]
		}
		switch {
		case service == "iam":
			c.IAM.ServeHTTP(w, r)
		case service == "ec2" || service == "" && r.Method == http.MethodPost && r.URL.Path == "/":
			c.Region(region).ServeHTTP(w, r)
		default:
			c.S3.ServeHTTP(w, r)
		}
	})
}
