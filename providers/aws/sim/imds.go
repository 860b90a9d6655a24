package sim

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The instance metadata service (IMDS) of a booted instance, as the guest
// reaches it at 169.254.169.254 — with EC2's rules: a session token from
// PUT /latest/api/token (TTL 1 s to 6 h, refused to a request carrying
// X-Forwarded-For, as EC2 refuses proxied token requests), sent back in
// X-aws-ec2-metadata-token; a missing token is refused when the instance
// was launched with HttpTokens=required (IMDSv2 only), and a wrong or
// expired one always (401).

// MetadataRequest is one request a guest made to its metadata service.
type MetadataRequest struct {
	Method, Path string
	Status       int
	// Token says whether the request carried a session token.
	Token bool
}

// MetadataLog returns the metadata requests an instance's guest made.
func (s *Server) MetadataLog(id string) []MetadataRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.instances[id]; ok {
		return slices.Clone(in.metadataLog)
	}
	return nil
}

const (
	tokenPath      = "/latest/api/token"
	tokenTTLHeader = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
	tokenHeader    = "X-Aws-Ec2-Metadata-Token"
	maxTokenTTL    = 21600
)

// metadataVersions are the versions IMDS lists at its root (a selection;
// every dated version answers the same here).
var metadataVersions = []string{"1.0", "2007-01-19", "2009-04-04", "2016-09-02", "2019-10-01", "2021-01-03", "latest"}

var versionPath = regexp.MustCompile(`^/(latest|1\.0|[0-9]{4}-[0-9]{2}-[0-9]{2})(/.*)?$`)

// metadataHandler is the metadata service of instance id.
func (s *Server) metadataHandler(id string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := s.serveMetadata(w, r, id)
		s.opts.Logger.Info("metadata request", "instance", id, "method", r.Method, "path", r.URL.Path, "status", status, "token", r.Header.Get(tokenHeader) != "")
		s.mu.Lock()
		if in, ok := s.instances[id]; ok {
			in.metadataLog = append(in.metadataLog, MetadataRequest{r.Method, r.URL.Path, status, r.Header.Get(tokenHeader) != ""})
		}
		s.mu.Unlock()
	})
}

func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request, id string) int {
	fail := func(status int) int {
		http.Error(w, http.StatusText(status), status)
		return status
	}
	s.mu.Lock()
	in, ok := s.instances[id]
	s.mu.Unlock()
	if !ok {
		return fail(http.StatusNotFound)
	}
	if r.URL.Path == tokenPath {
		if r.Method != http.MethodPut {
			return fail(http.StatusMethodNotAllowed)
		}
		if r.Header.Get("X-Forwarded-For") != "" {
			return fail(http.StatusForbidden)
		}
		ttl, err := strconv.Atoi(r.Header.Get(tokenTTLHeader))
		if err != nil || ttl < 1 || ttl > maxTokenTTL {
			return fail(http.StatusBadRequest)
		}
		token := rand.Text()
		s.mu.Lock()
		if in.metadataTokens == nil {
			in.metadataTokens = map[string]time.Time{}
		}
		in.metadataTokens[token] = time.Now().Add(time.Duration(ttl) * time.Second)
		s.mu.Unlock()
		w.Header().Set(tokenTTLHeader, strconv.Itoa(ttl))
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, token)
		return http.StatusOK
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return fail(http.StatusMethodNotAllowed)
	}
	if token := r.Header.Get(tokenHeader); token != "" {
		s.mu.Lock()
		expires, ok := in.metadataTokens[token]
		s.mu.Unlock()
		if !ok || time.Now().After(expires) {
			return fail(http.StatusUnauthorized)
		}
	} else if in.httpTokens == "required" {
		return fail(http.StatusUnauthorized)
	}
	if r.URL.Path == "/" {
		return text(w, strings.Join(metadataVersions, "\n"))
	}
	m := versionPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		return fail(http.StatusNotFound)
	}
	s.mu.Lock()
	tree := s.metadataTree(in)
	s.mu.Unlock()
	p := strings.TrimPrefix(m[2], "/")
	if p == "" {
		return text(w, listing(tree, ""))
	}
	// A key ending in a slash is a listing IMDS words its own way
	// (public-keys/ lists "0=NAME").
	if v, ok := tree[p]; ok {
		if b, isBytes := v.([]byte); isBytes {
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(b)
			return http.StatusOK
		}
		return text(w, v.(string))
	}
	if l := listing(tree, strings.TrimSuffix(p, "/")+"/"); l != "" {
		return text(w, l)
	}
	return fail(http.StatusNotFound)
}

func text(w http.ResponseWriter, body string) int {
	w.Header().Set("Content-Type", "text/plain")
	fmt.Fprint(w, body)
	return http.StatusOK
}

// listing is IMDS's directory listing of prefix: its entries, one per
// line, directories with a trailing slash.
func listing(tree map[string]any, prefix string) string {
	seen := map[string]bool{}
	var entries []string
	for k := range tree {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok || rest == "" {
			continue
		}
		name, _, dir := strings.Cut(rest, "/")
		if dir {
			name += "/"
		}
		if !seen[name] {
			seen[name] = true
			entries = append(entries, name)
		}
	}
	slices.Sort(entries)
	return strings.Join(entries, "\n")
}

// metadataTree is an instance's metadata by path below the version:
// strings, and user data as bytes. s.mu must be held.
func (s *Server) metadataTree(in *Instance) map[string]any {
	host := "ip-" + strings.ReplaceAll(in.PrivateIP, ".", "-") + ".ec2.internal"
	t := map[string]any{
		"meta-data/ami-id":                      in.ImageID,
		"meta-data/instance-id":                 in.ID,
		"meta-data/instance-type":               in.Type,
		"meta-data/hostname":                    host,
		"meta-data/local-hostname":              host,
		"meta-data/local-ipv4":                  in.PrivateIP,
		"meta-data/public-ipv4":                 in.PublicIP,
		"meta-data/public-hostname":             "ec2-" + strings.ReplaceAll(in.PublicIP, ".", "-") + ".compute-1.amazonaws.com",
		"meta-data/reservation-id":              in.reservation,
		"meta-data/placement/availability-zone": in.zone,
		"meta-data/placement/region":            s.region,
	}
	if len(in.SecurityGroups) > 0 {
		t["meta-data/security-groups"] = strings.Join(in.SecurityGroups, "\n")
	}
	if k, ok := s.keyPairs[in.KeyName]; ok && in.KeyName != "" {
		t["meta-data/public-keys/"] = "0=" + k.Name
		t["meta-data/public-keys/0/openssh-key"] = strings.TrimSpace(string(k.PublicKey)) + "\n"
	}
	if len(in.UserData) > 0 {
		t["user-data"] = in.UserData
	}
	doc, _ := json.MarshalIndent(map[string]any{
		"accountId": "123456789012", "architecture": "x86_64", "availabilityZone": in.zone,
		"imageId": in.ImageID, "instanceId": in.ID, "instanceType": in.Type,
		"pendingTime": in.LaunchTime.UTC().Format(time.RFC3339), "privateIp": in.PrivateIP,
		"region": s.region, "version": "2017-09-30",
	}, "", "  ")
	t["dynamic/instance-identity/document"] = string(doc)
	return t
}
