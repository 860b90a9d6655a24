package sim

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
)

func (s *Server) createTag(_ *http.Request, body []byte) (answer, *apiError) {
	var req struct {
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: "The request body is not valid JSON: " + err.Error()}
	}
	if !tagName.MatchString(req.Name) {
		return answer{}, unprocessable("Tag %q is not valid: 1-255 letters, digits, ':', '-' and '_'.", req.Name)
	}
	s.tags[req.Name] = true
	return answer{Status: http.StatusCreated, Body: map[string]any{"tag": s.tagJSON(req.Name)}}, nil
}

// allTags are the tags made by name and those on any resource (a
// resource made with a tag makes it, as in DigitalOcean).
func (s *Server) allTags() []string {
	set := maps.Clone(s.tags)
	for _, d := range s.droplets {
		for _, t := range d.Tags {
			set[t] = true
		}
	}
	for _, img := range s.images {
		for _, t := range img.Tags {
			set[t] = true
		}
	}
	for _, v := range s.volumes {
		for _, t := range v.Tags {
			set[t] = true
		}
	}
	for _, sn := range s.snapshots {
		for _, t := range sn.Tags {
			set[t] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

func (s *Server) tagJSON(name string) map[string]any {
	count := func(n int) map[string]any { return map[string]any{"count": n} }
	var droplets, images, volumes, snapshots int
	for _, d := range s.droplets {
		if slices.Contains(d.Tags, name) {
			droplets++
		}
	}
	for _, img := range s.images {
		if slices.Contains(img.Tags, name) {
			images++
		}
	}
	for _, v := range s.volumes {
		if slices.Contains(v.Tags, name) {
			volumes++
		}
	}
	for _, sn := range s.snapshots {
		if slices.Contains(sn.Tags, name) {
			snapshots++
		}
	}
	return map[string]any{"name": name, "resources": map[string]any{"count": droplets + images + volumes + snapshots,
		"droplets": count(droplets), "images": count(images), "volumes": count(volumes), "volume_snapshots": count(snapshots)}}
}

func (s *Server) listTags(r *http.Request, _ []byte) (answer, *apiError) {
	items := []any{}
	for _, t := range s.allTags() {
		items = append(items, s.tagJSON(t))
	}
	return s.page(r, "tags", items), nil
}

// tagResources tags (POST) or untags (DELETE) resources by ID and type:
// droplet, image, volume, volume_snapshot.
func (s *Server) tagResources(r *http.Request, body []byte) (answer, *apiError) {
	name := r.PathValue("name")
	if !slices.Contains(s.allTags(), name) {
		return answer{}, notFound()
	}
	var req struct {
		Resources []struct {
			ID   string `json:"resource_id"`
			Type string `json:"resource_type"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.Resources) == 0 {
		return answer{}, unprocessable("resources is required.")
	}
	var lists []*[]string
	for _, res := range req.Resources {
		var tags *[]string
		switch res.Type {
		case "droplet":
			id, _ := strconv.Atoi(res.ID)
			if d := s.droplets[id]; d != nil {
				tags = &d.Tags
			}
		case "image":
			id, _ := strconv.Atoi(res.ID)
			if img := s.images[id]; img != nil && !img.Public {
				tags = &img.Tags
			}
		case "volume":
			if v := s.volumes[res.ID]; v != nil {
				tags = &v.Tags
			}
		case "volume_snapshot":
			if sn := s.snapshots[res.ID]; sn != nil && sn.ResourceType == "volume" {
				tags = &sn.Tags
			}
		default:
			return answer{}, unprocessable("resource_type %q cannot be tagged.", res.Type)
		}
		if tags == nil {
			return answer{}, unprocessable("%s %s not found.", res.Type, res.ID)
		}
		lists = append(lists, tags)
	}
	for _, tags := range lists {
		switch {
		case r.Method == http.MethodDelete:
			*tags = slices.DeleteFunc(*tags, func(t string) bool { return t == name })
		case !slices.Contains(*tags, name):
			*tags = append(*tags, name)
		}
	}
	return answer{Status: http.StatusNoContent}, nil
}
