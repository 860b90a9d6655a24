package sim

import (
	"encoding/json"
	"maps"
	"net/http"
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
	Created                        time.Time
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

func (s *Server) imageJSON(img *Image) map[string]any {
	out := map[string]any{"id": img.ID, "name": img.Name, "distribution": img.Distribution, "public": img.Public, "type": img.Type,
		"status": img.Status, "tags": img.Tags, "created_at": img.Created.UTC().Format(time.RFC3339), "regions": regions, "min_disk_size": 15}
	if img.Slug != "" {
		out["slug"] = img.Slug
	}
	return out
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
	return answer{http.StatusOK, map[string]any{"image": s.imageJSON(img)}}, nil
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
		return answer{}, &apiError{http.StatusForbidden, "forbidden", "You are not allowed to delete a public image."}
	}
	delete(s.images, id)
	return answer{status: http.StatusNoContent}, nil
}

// ImageExists says whether an image ID is there.
func (s *Server) ImageExists(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.images[id] != nil
}
