package sim

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Volume is a block storage volume.
type Volume struct {
	ID, Name, Region, Description string
	SizeGiB                       int
	Tags                          []string
	DropletIDs                    []int
	Created                       time.Time
}

// Snapshot is a snapshot of a droplet (made by its snapshot action) or of
// a volume.
type Snapshot struct {
	ID, Name     string
	ResourceID   string
	ResourceType string // "droplet" or "volume"
	Region       string
	SizeGiB      int
	Tags         []string
	Created      time.Time
}

// uuid is a DigitalOcean volume's or volume snapshot's ID.
func uuid() string {
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func volumeJSON(v *Volume) map[string]any {
	return map[string]any{"id": v.ID, "name": v.Name, "description": v.Description, "size_gigabytes": v.SizeGiB,
		"region": map[string]any{"slug": v.Region, "name": v.Region, "available": true}, "droplet_ids": v.DropletIDs,
		"created_at": v.Created.UTC().Format(time.RFC3339), "filesystem_type": "", "filesystem_label": "", "tags": v.Tags}
}

func snapshotJSON(sn *Snapshot) map[string]any {
	return map[string]any{"id": sn.ID, "name": sn.Name, "resource_id": sn.ResourceID, "resource_type": sn.ResourceType,
		"regions": []string{sn.Region}, "min_disk_size": sn.SizeGiB, "size_gigabytes": float64(sn.SizeGiB) / 3,
		"created_at": sn.Created.UTC().Format(time.RFC3339), "tags": sn.Tags}
}

// volumeName is what DigitalOcean takes as a volume's name.
var volumeName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

func (s *Server) createVolume(_ *http.Request, body []byte) (answer, *apiError) {
	var req struct {
		Name          string   `json:"name"`
		Region        string   `json:"region"`
		SizeGigaBytes int      `json:"size_gigabytes"`
		Description   string   `json:"description"`
		Tags          []string `json:"tags"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: "The request body is not valid JSON: " + err.Error()}
	}
	switch {
	case !volumeName.MatchString(req.Name):
		return answer{}, unprocessable("name must be lowercase letters, digits and dashes, at most 64, starting with a letter or digit.")
	case !slices.Contains(regions, req.Region):
		return answer{}, unprocessable("invalid region %q.", req.Region)
	case req.SizeGigaBytes < 1 || req.SizeGigaBytes > 16384:
		return answer{}, unprocessable("size_gigabytes must be between 1 and 16384.")
	}
	for _, t := range req.Tags {
		if !tagName.MatchString(t) {
			return answer{}, unprocessable("Tag %q is not valid: 1-255 letters, digits, ':', '-' and '_'.", t)
		}
	}
	for _, v := range s.volumes {
		if v.Name == req.Name && v.Region == req.Region {
			return answer{}, &apiError{Status: http.StatusConflict, Code: "conflict", Message: fmt.Sprintf("a volume named %s already exists in %s.", req.Name, req.Region)}
		}
	}
	v := &Volume{ID: uuid(), Name: req.Name, Region: req.Region, Description: req.Description, SizeGiB: req.SizeGigaBytes,
		Tags: nonNil(slices.Clone(req.Tags)), DropletIDs: []int{}, Created: s.opts.Now()}
	s.volumes[v.ID] = v
	return answer{Status: http.StatusCreated, Body: map[string]any{"volume": volumeJSON(v)}}, nil
}

func nonNil(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

func (s *Server) getVolume(r *http.Request, _ []byte) (answer, *apiError) {
	v := s.volumes[r.PathValue("id")]
	if v == nil {
		return answer{}, notFound()
	}
	return answer{Status: http.StatusOK, Body: map[string]any{"volume": volumeJSON(v)}}, nil
}

// listVolumes lists volumes, filtered by region and name.
func (s *Server) listVolumes(r *http.Request, _ []byte) (answer, *apiError) {
	q := r.URL.Query()
	items := []any{}
	for _, id := range slices.Sorted(maps.Keys(s.volumes)) {
		v := s.volumes[id]
		if (q.Get("region") == "" || q.Get("region") == v.Region) && (q.Get("name") == "" || q.Get("name") == v.Name) {
			items = append(items, volumeJSON(v))
		}
	}
	return s.page(r, "volumes", items), nil
}

// deleteVolume deletes a volume that is attached to no droplet.
func (s *Server) deleteVolume(r *http.Request, _ []byte) (answer, *apiError) {
	v := s.volumes[r.PathValue("id")]
	if v == nil {
		return answer{}, notFound()
	}
	if len(v.DropletIDs) > 0 {
		return answer{}, &apiError{Status: http.StatusConflict, Code: "conflict", Message: "Volume is currently attached to a Droplet; detach it before deleting."}
	}
	delete(s.volumes, v.ID)
	return answer{Status: http.StatusNoContent}, nil
}

func (s *Server) createVolumeSnapshot(r *http.Request, body []byte) (answer, *apiError) {
	v := s.volumes[r.PathValue("id")]
	if v == nil {
		return answer{}, notFound()
	}
	var req struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Name == "" {
		return answer{}, unprocessable("name is required.")
	}
	sn := &Snapshot{ID: uuid(), Name: req.Name, ResourceID: v.ID, ResourceType: "volume", Region: v.Region, SizeGiB: v.SizeGiB,
		Tags: nonNil(slices.Clone(req.Tags)), Created: s.opts.Now()}
	s.snapshots[sn.ID] = sn
	return answer{Status: http.StatusCreated, Body: map[string]any{"snapshot": snapshotJSON(sn)}}, nil
}

func (s *Server) getSnapshot(r *http.Request, _ []byte) (answer, *apiError) {
	sn := s.snapshots[r.PathValue("id")]
	if sn == nil {
		return answer{}, notFound()
	}
	return answer{Status: http.StatusOK, Body: map[string]any{"snapshot": snapshotJSON(sn)}}, nil
}

// listSnapshots lists snapshots, all or of one resource_type.
func (s *Server) listSnapshots(r *http.Request, _ []byte) (answer, *apiError) {
	kind := r.URL.Query().Get("resource_type")
	if kind != "" && kind != "droplet" && kind != "volume" {
		return answer{}, unprocessable("resource_type must be droplet or volume.")
	}
	items := []any{}
	for _, id := range slices.Sorted(maps.Keys(s.snapshots)) {
		if sn := s.snapshots[id]; kind == "" || sn.ResourceType == kind {
			items = append(items, snapshotJSON(sn))
		}
	}
	return s.page(r, "snapshots", items), nil
}

func (s *Server) deleteSnapshot(r *http.Request, _ []byte) (answer, *apiError) {
	sn := s.snapshots[r.PathValue("id")]
	if sn == nil {
		return answer{}, notFound()
	}
	delete(s.snapshots, sn.ID)
	return answer{Status: http.StatusNoContent}, nil
}

// AddVolume adds a volume, as if someone had made it, and returns its ID.
func (s *Server) AddVolume(name string, tags []string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := &Volume{ID: uuid(), Name: name, Region: "sfo3", SizeGiB: 10, Tags: nonNil(slices.Clone(tags)), DropletIDs: []int{}, Created: created}
	s.volumes[v.ID] = v
	return v.ID
}

// AddSnapshot adds a snapshot of a droplet, as if someone had made it,
// and returns its ID.
func (s *Server) AddSnapshot(name string, tags []string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := &Snapshot{ID: strconv.Itoa(s.nextID()), Name: name, ResourceID: "1", ResourceType: "droplet", Region: "sfo3", SizeGiB: 25,
		Tags: nonNil(slices.Clone(tags)), Created: created}
	s.snapshots[sn.ID] = sn
	return sn.ID
}

// VolumeExists and SnapshotExists say whether an ID is there.
func (s *Server) VolumeExists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.volumes[id] != nil
}

func (s *Server) SnapshotExists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshots[id] != nil
}
