package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Image is a public (distribution) image or one of the account's.
type Image struct {
	ID                             int
	Name, Slug, Distribution, Type string
	Public                         bool
	Status                         string
	Tags                           []string
	// Regions are where a custom image is (made in one, transferred to
	// more); public images are in every region.
	Regions []string
	Created time.Time
	// URL, Size and Error are a custom image's import: where it was
	// fetched from, how many bytes came, and why it failed.
	URL   string
	Size  int64
	Error string
	// disk and format are the fetched disk kept in the box (boot.go).
	disk, format string
}

func distribution(slug string) string {
	d, _, _ := strings.Cut(slug, "-")
	return strings.ToUpper(d[:1]) + d[1:]
}

func (s *Server) addImage(img *Image) *Image {
	img.ID = s.nextID()
	if img.Created.IsZero() {
		img.Created = s.opts.Now()
	}
	if img.Tags == nil {
		img.Tags = []string{}
	}
	s.images[img.ID] = img
	return img
}

// AddImage adds one of the account's custom images, available.
func (s *Server) AddImage(name string, tags []string, created time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addImage(&Image{Name: name, Distribution: "Unknown", Type: "custom", Status: "available", Tags: slices.Clone(tags), Created: created}).ID
}

func (img *Image) regions() []string {
	if img.Public || img.Regions == nil {
		return regions
	}
	return img.Regions
}

func (s *Server) imageJSON(img *Image) map[string]any {
	out := map[string]any{"id": img.ID, "name": img.Name, "distribution": img.Distribution, "public": img.Public, "type": img.Type,
		"status": img.Status, "tags": img.Tags, "created_at": img.Created.UTC().Format(time.RFC3339), "regions": img.regions(), "min_disk_size": 15}
	if img.Slug != "" {
		out["slug"] = img.Slug
	}
	if img.Size > 0 {
		out["size_gigabytes"] = float64(img.Size) / (1 << 30)
	}
	if img.Error != "" {
		out["error_message"] = img.Error
	}
	return out
}

// createImage imports a custom image from a URL: it is NEW while the
// simulator fetches the URL (from wherever the caller's loopback server
// is), then available, or deleted with an error message if the fetch
// failed, as DigitalOcean's import does.
func (s *Server) createImage(r *http.Request, body []byte) (answer, *apiError) {
	var req struct {
		Name         string   `json:"name"`
		URL          string   `json:"url"`
		Region       string   `json:"region"`
		Distribution string   `json:"distribution"`
		Tags         []string `json:"tags"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: "The request body is not valid JSON: " + err.Error()}
	}
	u, err := url.Parse(req.URL)
	switch {
	case req.Name == "":
		return answer{}, unprocessable("Name is required.")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return answer{}, unprocessable("url %q is not an http(s) URL.", req.URL)
	case !slices.Contains(regions, req.Region):
		return answer{}, unprocessable("You specified an invalid region for the image: %q.", req.Region)
	}
	for _, t := range req.Tags {
		if !tagName.MatchString(t) {
			return answer{}, unprocessable("Tag %q is not valid: 1-255 letters, digits, ':', '-' and '_'.", t)
		}
	}
	dist := req.Distribution
	if dist == "" {
		dist = "Unknown"
	}
	img := s.addImage(&Image{Name: req.Name, Distribution: dist, Type: "custom", Status: "NEW", Tags: slices.Clone(req.Tags), URL: req.URL,
		Regions: []string{req.Region}})
	go s.fetch(img)
	return answer{Status: http.StatusAccepted, Body: map[string]any{"image": s.imageJSON(img)}}, nil
}

// fetch reads an image's URL to its end, as the import does; in a box
// it keeps the disk it read.
func (s *Server) fetch(img *Image) {
	resp, err := http.Get(img.URL)
	var n int64
	var disk, format string
	if err == nil {
		body := &countingReader{r: resp.Body}
		if s.opts.Box != nil && resp.StatusCode == http.StatusOK {
			disk, format, err = s.importDisk(img.ID, body)
		}
		if err == nil {
			_, err = io.Copy(io.Discard, body)
		}
		n = body.n
		resp.Body.Close()
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("%s answered %s", img.URL, resp.Status)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		img.Status, img.Error = "deleted", "The image could not be fetched from its URL: "+err.Error()
	case n == 0:
		img.Status, img.Error = "deleted", "The image at its URL is empty."
	case s.images[img.ID] != img: // deleted while it was fetched
	default:
		img.Status, img.Size, img.disk, img.format = "available", n, disk, format
		return
	}
	s.removeDisk(disk)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ImageSize is how many bytes an imported image's fetch read (0 if it
// is not there or not fetched yet).
func (s *Server) ImageSize(id int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if img := s.images[id]; img != nil {
		return img.Size
	}
	return 0
}

// imageRef finds the image a droplet create names: a slug (a JSON
// string) or an ID (a number).
func (s *Server) imageRef(raw json.RawMessage) (*Image, *apiError) {
	var id int
	if err := json.Unmarshal(raw, &id); err == nil {
		if img := s.images[id]; img != nil && img.Status == "available" {
			return img, nil
		}
		return nil, unprocessable("You specified an invalid image for Droplet creation: %d.", id)
	}
	var slug string
	if err := json.Unmarshal(raw, &slug); err != nil || slug == "" {
		return nil, unprocessable("Image is required.")
	}
	if img := s.bySlug(slug); img != nil {
		return img, nil
	}
	return nil, unprocessable("You specified an invalid image for Droplet creation: %q.", slug)
}

func (s *Server) bySlug(slug string) *Image {
	for _, img := range s.images {
		if img.Slug == slug {
			return img
		}
	}
	return nil
}

// getImage serves GET /v2/images/{id}, the ID being a number or a slug.
func (s *Server) getImage(r *http.Request, _ []byte) (answer, *apiError) {
	ref := r.PathValue("id")
	var img *Image
	if id, err := strconv.Atoi(ref); err == nil {
		img = s.images[id]
	} else {
		img = s.bySlug(ref)
	}
	if img == nil {
		return answer{}, notFound()
	}
	return answer{Status: http.StatusOK, Body: map[string]any{"image": s.imageJSON(img)}}, nil
}

// listImages lists images: private=true for the account's own, type,
// tag_name.
func (s *Server) listImages(r *http.Request, _ []byte) (answer, *apiError) {
	q := r.URL.Query()
	items := []any{}
	for _, id := range slices.Sorted(maps.Keys(s.images)) {
		img := s.images[id]
		if q.Get("private") == "true" && img.Public || q.Get("type") != "" && q.Get("type") != img.Type && !(q.Get("type") == "distribution" && img.Type == "base") ||
			q.Get("tag_name") != "" && !slices.Contains(img.Tags, q.Get("tag_name")) {
			continue
		}
		items = append(items, s.imageJSON(img))
	}
	return s.page(r, "images", items), nil
}

func (s *Server) deleteImage(r *http.Request, _ []byte) (answer, *apiError) {
	id, err := strconv.Atoi(r.PathValue("id"))
	img := s.images[id]
	if err != nil || img == nil {
		return answer{}, notFound()
	}
	if img.Public {
		return answer{}, &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "You are not allowed to delete a public image."}
	}
	delete(s.images, id)
	// A droplet booted from it keeps reading it: QEMU holds it open.
	s.removeDisk(img.disk)
	return answer{Status: http.StatusNoContent}, nil
}

// ImageExists says whether an image ID is there.
func (s *Server) ImageExists(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.images[id] != nil
}
