package sim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// action is a droplet action: in progress for its first reads, then
// completed, when what it does takes effect.
type action struct {
	ID           int
	Type         string
	ResourceID   int
	ResourceType string // "droplet" or "image"
	Region       string
	Started      time.Time
	gets         int
	done         bool
	onComplete   func()
}

func (s *Server) actionJSON(a *action) map[string]any {
	status, completed := "in-progress", any(nil)
	if a.done {
		status, completed = "completed", a.Started.UTC().Format(time.RFC3339)
	}
	return map[string]any{"id": a.ID, "status": status, "type": a.Type, "started_at": a.Started.UTC().Format(time.RFC3339),
		"completed_at": completed, "resource_id": a.ResourceID, "resource_type": a.ResourceType, "region_slug": a.Region}
}

// dropletActions are the action types the simulator takes.
var dropletActions = []string{"power_off", "power_on", "shutdown", "reboot", "power_cycle", "snapshot"}

// createDropletAction starts an action on a droplet (POST
// /v2/droplets/{id}/actions): power actions change nothing the simulator
// shows; a snapshot makes a snapshot of the droplet when it completes.
func (s *Server) createDropletAction(r *http.Request, body []byte) (answer, *apiError) {
	d, aerr := s.droplet(r)
	if aerr != nil {
		return answer{}, aerr
	}
	var req struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: "The request body is not valid JSON: " + err.Error()}
	}
	if !slices.Contains(dropletActions, req.Type) {
		return answer{}, unprocessable("%q is not a droplet action the simulator takes (%v).", req.Type, dropletActions)
	}
	a := &action{ID: s.nextID(), Type: req.Type, ResourceID: d.ID, ResourceType: "droplet", Region: d.Region, Started: s.opts.Now()}
	if req.Type == "snapshot" {
		name := req.Name
		if name == "" {
			name = fmt.Sprintf("%s-%d", d.Name, a.Started.Unix())
		}
		a.onComplete = func() {
			sn := &Snapshot{ID: strconv.Itoa(s.nextID()), Name: name, ResourceID: strconv.Itoa(d.ID), ResourceType: "droplet", Region: d.Region,
				SizeGiB: 25, Tags: []string{}, Created: s.opts.Now()}
			s.snapshots[sn.ID] = sn
		}
	}
	s.actions[a.ID] = a
	return answer{Status: http.StatusCreated, Body: map[string]any{"action": s.actionJSON(a)}}, nil
}

// getAction reads an action (GET /v2/actions/{id}); it completes after
// as many reads as a droplet takes to be active.
func (s *Server) getAction(r *http.Request, _ []byte) (answer, *apiError) {
	id, err := strconv.Atoi(r.PathValue("id"))
	a := s.actions[id]
	if err != nil || a == nil {
		return answer{}, notFound()
	}
	a.gets++
	if !a.done && a.gets >= s.opts.ActiveGets {
		a.done = true
		if a.onComplete != nil {
			a.onComplete()
		}
	}
	return answer{Status: http.StatusOK, Body: map[string]any{"action": s.actionJSON(a)}}, nil
}

// createImageAction starts an action on one of the account's images
// (POST /v2/images/{id}/actions): transfer to another region, which the
// image lists once the action completes, or convert (a snapshot to a
// backup; nothing the simulator shows changes).
func (s *Server) createImageAction(r *http.Request, body []byte) (answer, *apiError) {
	id, err := strconv.Atoi(r.PathValue("id"))
	img := s.images[id]
	if err != nil || img == nil {
		return answer{}, notFound()
	}
	if img.Public {
		return answer{}, &apiError{Status: http.StatusForbidden, Code: "forbidden", Message: "You cannot act on a public image."}
	}
	var req struct {
		Type   string `json:"type"`
		Region string `json:"region"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: "The request body is not valid JSON: " + err.Error()}
	}
	a := &action{ID: s.nextID(), Type: req.Type, ResourceID: img.ID, ResourceType: "image", Region: req.Region, Started: s.opts.Now()}
	switch req.Type {
	case "transfer":
		if !slices.Contains(regions, req.Region) {
			return answer{}, unprocessable("You specified an invalid region for the transfer: %q.", req.Region)
		}
		a.onComplete = func() {
			if !slices.Contains(img.Regions, req.Region) {
				img.Regions = append(img.Regions, req.Region)
			}
		}
	case "convert":
	default:
		return answer{}, unprocessable("%q is not an image action (transfer, convert).", req.Type)
	}
	s.actions[a.ID] = a
	return answer{Status: http.StatusCreated, Body: map[string]any{"action": s.actionJSON(a)}}, nil
}

// getImageAction reads an action of an image (GET
// /v2/images/{id}/actions/{action}).
func (s *Server) getImageAction(r *http.Request, body []byte) (answer, *apiError) {
	id, _ := strconv.Atoi(r.PathValue("id"))
	aid, _ := strconv.Atoi(r.PathValue("action"))
	if a := s.actions[aid]; a == nil || a.ResourceType != "image" || a.ResourceID != id {
		return answer{}, notFound()
	}
	r.SetPathValue("id", r.PathValue("action"))
	return s.getAction(r, body)
}

// listActions lists the account's actions, newest last.
func (s *Server) listActions(r *http.Request, _ []byte) (answer, *apiError) {
	items := []any{}
	for _, id := range slices.Sorted(maps.Keys(s.actions)) {
		items = append(items, s.actionJSON(s.actions[id]))
	}
	return s.page(r, "actions", items), nil
}

// listVPCs lists each region's default VPC, the one every droplet joins
// (its private addresses are how a cluster's droplets reach each other).
func (s *Server) listVPCs(r *http.Request, _ []byte) (answer, *apiError) {
	items := []any{}
	for i, region := range regions {
		items = append(items, map[string]any{"id": vpcID(region), "urn": "do:vpc:" + vpcID(region), "name": "default-" + region,
			"region": region, "ip_range": fmt.Sprintf("10.%d.0.0/20", 100+i), "default": true, "created_at": "2020-01-01T00:00:00Z"})
	}
	return s.page(r, "vpcs", items), nil
}

func vpcID(region string) string {
	return fmt.Sprintf("5a4981aa-9653-4bd1-bef5-%012x", slices.Index(regions, region))
}
