package sim

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Image is a simulated image; Source is the object it was made from.
type Image struct {
	Project, Name, Family, Status, Source string
	Labels                                map[string]string
	Created                               time.Time
	// Deprecated is the deprecation state (DEPRECATED, OBSOLETE,
	// DELETED; "" for none) and Replacement the image's URL it names.
	Deprecated, Replacement string
	// Bindings are the image's IAM policy: role → members.
	Bindings map[string][]string
	etag     int

	disk string // disk.raw in the box (boot.go), if it has one
}

// Images lists the images by project and name.
func (s *Server) Images() []Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Image
	for _, k := range slices.Sorted(maps.Keys(s.images)) {
		img := *s.images[k]
		img.Labels = maps.Clone(img.Labels)
		img.Bindings = maps.Clone(img.Bindings)
		out = append(out, img)
	}
	return out
}

// AddImage makes a ready image in a project (another project's: a public
// image), as if made at created.
func (s *Server) AddImage(project, name, family string, labels map[string]string, created time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.images[project+"/"+name] = &Image{Project: project, Name: name, Family: family, Status: "READY", Labels: labels, Created: created}
}

func (s *Server) imageJSON(img *Image) map[string]any {
	j := map[string]any{
		"kind": "compute#image", "name": img.Name, "family": img.Family, "status": img.Status, "labels": img.Labels,
		"creationTimestamp": img.Created.Format(time.RFC3339Nano), "diskSizeGb": "10",
		"selfLink": imageURL(img.Project, img.Name),
		"rawDisk":  map[string]string{"source": img.Source},
	}
	if img.Deprecated != "" {
		j["deprecated"] = map[string]string{"state": img.Deprecated, "replacement": img.Replacement}
	}
	return j
}

func imageURL(project, name string) string {
	return fmt.Sprintf("https://www.googleapis.com/compute/v1/projects/%s/global/images/%s", project, name)
}

// imageRef matches an image's URL or partial URL, by name or family.
var imageRef = regexp.MustCompile(`^(?:https://www\.googleapis\.com/compute/v1/)?projects/([^/]+)/global/images/(family/)?([^/]+)$`)

// resolveImage finds what an instance's sourceImage names.
func (s *Server) resolveImage(ref string) (*Image, *apiError) {
	m := imageRef.FindStringSubmatch(ref)
	if m == nil {
		return nil, invalid("Invalid value for field 'resource.disks[0].initializeParams.sourceImage': '%s'. The URL is malformed.", ref)
	}
	if m[2] != "" {
		return s.fromFamily(m[1], m[3])
	}
	img, ok := s.images[m[1]+"/"+m[3]]
	if !ok || img.Status != "READY" {
		return nil, notFound("The resource 'projects/%s/global/images/%s' was not found", m[1], m[3])
	}
	return img, nil
}

// fromFamily is the family's newest ready image that is not deprecated.
func (s *Server) fromFamily(project, family string) (*Image, *apiError) {
	var best *Image
	for _, img := range s.images {
		if img.Project == project && img.Family == family && img.Status == "READY" && img.Deprecated == "" && (best == nil || img.Created.After(best.Created)) {
			best = img
		}
	}
	if best == nil {
		return nil, notFound("The resource 'projects/%s/global/images/family/%s' was not found", project, family)
	}
	return best, nil
}

func (s *Server) getImage(r *http.Request, _ []byte) (any, *apiError) {
	if r.PathValue("project") == s.opts.Project {
		s.progressTarget("global/images/" + r.PathValue("name"))
	}
	img, ok := s.images[r.PathValue("project")+"/"+r.PathValue("name")]
	if !ok {
		return nil, notFound("The resource 'projects/%s/global/images/%s' was not found", r.PathValue("project"), r.PathValue("name"))
	}
	return s.imageJSON(img), nil
}

func (s *Server) getImageFromFamily(r *http.Request, _ []byte) (any, *apiError) {
	img, err := s.fromFamily(r.PathValue("project"), r.PathValue("family"))
	if err != nil {
		return nil, err
	}
	return s.imageJSON(img), nil
}

func (s *Server) listImages(r *http.Request, _ []byte) (any, *apiError) {
	want, err := parseFilter(r.URL.Query().Get("filter"))
	if err != nil {
		return nil, err
	}
	var all []map[string]any
	for _, k := range slices.Sorted(maps.Keys(s.images)) {
		if img := s.images[k]; img.Project == s.opts.Project && matches(img.Labels, want) {
			all = append(all, s.imageJSON(img))
		}
	}
	items, next, err := page(s, r, all)
	if err != nil {
		return nil, err
	}
	return map[string]any{"kind": "compute#imageList", "items": items, "nextPageToken": next}, nil
}

// objectURL matches the two ways an image's raw disk names its object.
var objectURL = regexp.MustCompile(`^(?:https://storage\.googleapis\.com/|gs://)([^/]+)/(.+)$`)

func (s *Server) insertImage(r *http.Request, body []byte) (any, *apiError) {
	if op, ok := s.requests[r.URL.Query().Get("requestId")]; ok {
		return s.operationJSON(s.operations[op]), nil
	}
	var req struct {
		Name, Family, Description string
		Labels                    map[string]string
		RawDisk                   struct{ Source string } `json:"rawDisk"`
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	key := s.opts.Project + "/" + req.Name
	switch {
	case !resourceName.MatchString(req.Name):
		return nil, invalid("Invalid value for field 'resource.name': '%s'.", req.Name)
	case s.images[key] != nil:
		return nil, &apiError{http.StatusConflict, "alreadyExists", fmt.Sprintf("The resource 'projects/%s/global/images/%s' already exists", s.opts.Project, req.Name)}
	case req.RawDisk.Source == "":
		return nil, invalid("Invalid value for field 'resource.rawDisk.source': ''. Only images from Cloud Storage are simulated")
	}
	img := &Image{Project: s.opts.Project, Name: req.Name, Family: req.Family, Status: "PENDING", Labels: req.Labels, Created: s.opts.Now(), Source: req.RawDisk.Source}
	s.images[key] = img
	op := s.newOperation("insert", "global/images/"+req.Name, false, func() *apiError {
		m := objectURL.FindStringSubmatch(req.RawDisk.Source)
		if m == nil || s.buckets[m[1]] == nil || s.buckets[m[1]].objects[m[2]] == nil {
			img.Status = "FAILED"
			return &apiError{http.StatusBadRequest, "INVALID_FIELD_VALUE",
				fmt.Sprintf("Invalid value for field 'resource.rawDisk.source': '%s'. The object does not exist or cannot be read.", req.RawDisk.Source)}
		}
		if head := s.buckets[m[1]].objects[m[2]].head(2); !bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
			img.Status = "FAILED"
			return &apiError{http.StatusBadRequest, "INVALID_FIELD_VALUE", "Invalid value for field 'resource.rawDisk.source': the object is not gzip-compressed (a raw disk image must be a .tar.gz holding disk.raw)"}
		}
		if s.opts.Box != nil {
			if err := s.extractDisk(img, s.buckets[m[1]].objects[m[2]]); err != nil {
				img.Status = "FAILED"
				return &apiError{http.StatusBadRequest, "INVALID_FIELD_VALUE", "Invalid value for field 'resource.rawDisk.source': " + err.Error()}
			}
		}
		img.Status = "READY"
		return nil
	})
	if id := r.URL.Query().Get("requestId"); id != "" {
		s.requests[id] = op.name
	}
	return s.operationJSON(op), nil
}

func (s *Server) deleteImage(r *http.Request, _ []byte) (any, *apiError) {
	key := s.opts.Project + "/" + r.PathValue("name")
	if s.images[key] == nil {
		return nil, notFound("The resource 'projects/%s/global/images/%s' was not found", s.opts.Project, r.PathValue("name"))
	}
	op := s.newOperation("delete", "global/images/"+r.PathValue("name"), false, func() *apiError {
		if img := s.images[key]; img != nil && img.disk != "" && s.opts.Box != nil {
			_ = s.opts.Box.RemoveDisk(filepath.Base(img.disk))
		}
		delete(s.images, key)
		return nil
	})
	return s.operationJSON(op), nil
}

// deprecateImage sets (or, with no state, clears) an image's deprecation.
// Done at once; the operation is returned done, as Compute Engine's
// usually is.
func (s *Server) deprecateImage(r *http.Request, body []byte) (any, *apiError) {
	img := s.images[s.opts.Project+"/"+r.PathValue("name")]
	if img == nil {
		return nil, notFound("The resource 'projects/%s/global/images/%s' was not found", s.opts.Project, r.PathValue("name"))
	}
	var req struct{ State, Replacement string }
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	switch req.State {
	case "", "ACTIVE", "DEPRECATED", "OBSOLETE", "DELETED":
	default:
		return nil, invalid("Invalid value for field 'resource.state': '%s'.", req.State)
	}
	if req.Replacement != "" {
		if m := imageRef.FindStringSubmatch(req.Replacement); m == nil || m[2] != "" || s.images[m[1]+"/"+m[3]] == nil {
			return nil, invalid("Invalid value for field 'resource.replacement': '%s'. The referenced image resource cannot be found.", req.Replacement)
		}
	}
	if req.State == "ACTIVE" {
		req.State = ""
	}
	op := s.newOperation("deprecate", "global/images/"+img.Name, false, func() *apiError {
		img.Deprecated, img.Replacement = req.State, req.Replacement
		return nil
	})
	return s.operationJSON(op), nil
}

// policyJSON is an image's IAM policy (version 1: role bindings).
func (img *Image) policyJSON() map[string]any {
	var bindings []map[string]any
	for _, role := range slices.Sorted(maps.Keys(img.Bindings)) {
		bindings = append(bindings, map[string]any{"role": role, "members": img.Bindings[role]})
	}
	return map[string]any{"version": 1, "etag": base64.StdEncoding.EncodeToString([]byte(strconv.Itoa(img.etag))), "bindings": bindings}
}

func (s *Server) getImagePolicy(r *http.Request, _ []byte) (any, *apiError) {
	img := s.images[s.opts.Project+"/"+r.PathValue("name")]
	if r.PathValue("verb") != "getIamPolicy" || img == nil {
		return nil, notFound("The resource 'projects/%s/global/images/%s' was not found", s.opts.Project, r.PathValue("name"))
	}
	return img.policyJSON(), nil
}

// setImagePolicy replaces an image's bindings; a stale etag (another
// writer in between) is refused as IAM refuses it.
func (s *Server) setImagePolicy(r *http.Request, body []byte) (any, *apiError) {
	img := s.images[s.opts.Project+"/"+r.PathValue("name")]
	if img == nil {
		return nil, notFound("The resource 'projects/%s/global/images/%s' was not found", s.opts.Project, r.PathValue("name"))
	}
	var req struct {
		Policy struct {
			Etag     string
			Bindings []struct {
				Role    string
				Members []string
			}
		}
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.Policy.Etag != "" && req.Policy.Etag != img.policyJSON()["etag"] {
		return nil, &apiError{http.StatusConflict, "conflict", "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff."}
	}
	bindings := map[string][]string{}
	for _, b := range req.Policy.Bindings {
		if !strings.HasPrefix(b.Role, "roles/") {
			return nil, invalid("Invalid value for field 'policy.bindings.role': '%s'.", b.Role)
		}
		for _, m := range b.Members {
			if m != "allUsers" && m != "allAuthenticatedUsers" && !strings.Contains(m, ":") {
				return nil, invalid("Invalid value for field 'policy.bindings.members': '%s'.", m)
			}
		}
		bindings[b.Role] = append(bindings[b.Role], b.Members...)
	}
	img.Bindings = bindings
	img.etag++
	return img.policyJSON(), nil
}
