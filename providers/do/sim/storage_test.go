package sim

import (
	"strconv"
	"strings"
	"testing"
)

// Volumes, volume snapshots, a droplet's snapshot action, tags and VPCs,
// by hand as DigitalOcean's API reference has them.
func TestVolumesSnapshotsActionsTags(t *testing.T) {
	_, c := startRaw(t, Options{ActiveGets: 2, PageSize: 2})
	resp, body := c.do("POST", "/v2/volumes", map[string]any{"name": "data-1", "region": "sfo3", "size_gigabytes": 10, "tags": []string{"strata"}})
	if resp.StatusCode != 201 {
		t.Fatalf("create volume: %s %v", resp.Status, body)
	}
	vol := body["volume"].(map[string]any)
	if vol["region"].(map[string]any)["slug"] != "sfo3" || vol["size_gigabytes"] != float64(10) || vol["created_at"] == "" {
		t.Errorf("volume %v", vol)
	}
	for _, tc := range []struct {
		name string
		req  map[string]any
		code int
	}{
		{"same name", map[string]any{"name": "data-1", "region": "sfo3", "size_gigabytes": 10}, 409},
		{"bad name", map[string]any{"name": "Data_1", "region": "sfo3", "size_gigabytes": 10}, 422},
		{"bad size", map[string]any{"name": "d2", "region": "sfo3", "size_gigabytes": 0}, 422},
		{"bad region", map[string]any{"name": "d2", "region": "mars1", "size_gigabytes": 1}, 422},
	} {
		if resp, body := c.do("POST", "/v2/volumes", tc.req); resp.StatusCode != tc.code || body["id"] == nil {
			t.Errorf("%s: %s %v, want %d", tc.name, resp.Status, body, tc.code)
		}
	}
	volID := vol["id"].(string)
	resp, body = c.do("POST", "/v2/volumes/"+volID+"/snapshots", map[string]any{"name": "snap-1", "tags": []string{"strata"}})
	if resp.StatusCode != 201 || body["snapshot"].(map[string]any)["resource_type"] != "volume" {
		t.Fatalf("volume snapshot: %s %v", resp.Status, body)
	}

	// A droplet's snapshot action: in progress, then completed, and then
	// the snapshot is there.
	resp, body = c.do("POST", "/v2/droplets", map[string]any{"name": "d", "region": "sfo3", "size": "s-1vcpu-1gb", "image": "debian-12-x64"})
	if resp.StatusCode != 202 {
		t.Fatalf("droplet: %s %v", resp.Status, body)
	}
	dropletID := strconv.Itoa(int(body["droplet"].(map[string]any)["id"].(float64)))
	resp, body = c.do("POST", "/v2/droplets/"+dropletID+"/actions", map[string]any{"type": "snapshot", "name": "before-upgrade"})
	if resp.StatusCode != 201 {
		t.Fatalf("snapshot action: %s %v", resp.Status, body)
	}
	act := body["action"].(map[string]any)
	actionID := strconv.Itoa(int(act["id"].(float64)))
	var statuses []string
	for range 3 {
		_, body = c.do("GET", "/v2/actions/"+actionID, nil)
		statuses = append(statuses, body["action"].(map[string]any)["status"].(string))
	}
	if got := strings.Join(statuses, " "); got != "in-progress completed completed" {
		t.Errorf("action statuses %s", got)
	}
	if resp, body := c.do("POST", "/v2/droplets/"+dropletID+"/actions", map[string]any{"type": "rebuild"}); resp.StatusCode != 422 {
		t.Errorf("an action the simulator does not take: %s %v", resp.Status, body)
	}
	_, body = c.do("GET", "/v2/snapshots?resource_type=droplet", nil)
	snaps := body["snapshots"].([]any)
	if len(snaps) != 1 || snaps[0].(map[string]any)["name"] != "before-upgrade" || snaps[0].(map[string]any)["resource_id"] != dropletID {
		t.Errorf("droplet snapshots %v", body)
	}
	// Every snapshot, over pages of 2.
	seen := 0
	next := "/v2/snapshots?per_page=1"
	for next != "" {
		_, body = c.do("GET", next, nil)
		seen += len(body["snapshots"].([]any))
		next, _ = body["links"].(map[string]any)["pages"].(map[string]any)["next"].(string)
	}
	if seen != 2 {
		t.Errorf("%d snapshots over the pages, want 2", seen)
	}

	// Tags: made, put on the droplet's snapshot's droplet and the volume,
	// counted, taken off; an unknown tag or resource is refused.
	if resp, _ := c.do("POST", "/v2/tags", map[string]any{"name": "flight-x"}); resp.StatusCode != 201 {
		t.Errorf("create tag: %s", resp.Status)
	}
	res := map[string]any{"resources": []any{map[string]any{"resource_id": dropletID, "resource_type": "droplet"}, map[string]any{"resource_id": volID, "resource_type": "volume"}}}
	if resp, body := c.do("POST", "/v2/tags/flight-x/resources", res); resp.StatusCode != 204 {
		t.Errorf("tag resources: %s %v", resp.Status, body)
	}
	_, body = c.do("GET", "/v2/droplets?tag_name=flight-x", nil)
	if n := len(body["droplets"].([]any)); n != 1 {
		t.Errorf("%d droplets tagged flight-x", n)
	}
	if resp, _ := c.do("POST", "/v2/tags/none/resources", res); resp.StatusCode != 404 {
		t.Errorf("an unknown tag: %s", resp.Status)
	}
	if resp, _ := c.do("POST", "/v2/tags/flight-x/resources", map[string]any{"resources": []any{map[string]any{"resource_id": "1", "resource_type": "droplet"}}}); resp.StatusCode != 422 {
		t.Errorf("an unknown droplet: %s", resp.Status)
	}
	if resp, _ := c.do("DELETE", "/v2/tags/flight-x/resources", res); resp.StatusCode != 204 {
		t.Errorf("untag: %s", resp.Status)
	}
	_, body = c.do("GET", "/v2/volumes/"+volID, nil)
	if tags := body["volume"].(map[string]any)["tags"].([]any); len(tags) != 1 || tags[0] != "strata" {
		t.Errorf("volume tags after untagging %v", tags)
	}

	// VPCs: the droplet is in its region's default one.
	_, body = c.do("GET", "/v2/vpcs?per_page=200", nil)
	_, d := c.do("GET", "/v2/droplets/"+dropletID, nil)
	found := false
	for next := "/v2/vpcs"; next != ""; {
		_, body = c.do("GET", next, nil)
		for _, v := range body["vpcs"].([]any) {
			v := v.(map[string]any)
			found = found || (v["region"] == "sfo3" && v["default"] == true && v["id"] == d["droplet"].(map[string]any)["vpc_uuid"])
		}
		next, _ = body["links"].(map[string]any)["pages"].(map[string]any)["next"].(string)
	}
	if !found {
		t.Error("the droplet's vpc_uuid is not sfo3's default VPC")
	}

	if resp, body := c.do("DELETE", "/v2/volumes/"+volID, nil); resp.StatusCode != 204 {
		t.Errorf("delete volume: %s %v", resp.Status, body)
	}
	if resp, body := c.do("DELETE", "/v2/snapshots/"+volID, nil); resp.StatusCode != 404 || body["id"] != "not_found" {
		t.Errorf("delete a snapshot that is not there: %s %v", resp.Status, body)
	}
}

// An image transfer: in progress, then completed, and then the image is
// in both regions; a public image takes no action.
func TestImageActions(t *testing.T) {
	s, c := startRaw(t, Options{ActiveGets: 2})
	id := s.AddImage("custom", []string{"strata"}, s.opts.Now())
	s.mu.Lock()
	s.images[id].Regions = []string{"sfo3"}
	s.mu.Unlock()
	path := "/v2/images/" + strconv.Itoa(id) + "/actions"
	resp, body := c.do("POST", path, map[string]any{"type": "transfer", "region": "nyc3"})
	if resp.StatusCode != 201 {
		t.Fatalf("transfer: %s %v", resp.Status, body)
	}
	act := body["action"].(map[string]any)
	if act["resource_type"] != "image" || act["status"] != "in-progress" {
		t.Errorf("action %v", act)
	}
	actionPath := path + "/" + strconv.Itoa(int(act["id"].(float64)))
	for range 2 {
		_, body = c.do("GET", actionPath, nil)
	}
	if st := body["action"].(map[string]any)["status"]; st != "completed" {
		t.Errorf("after two reads: %v", st)
	}
	_, body = c.do("GET", "/v2/images/"+strconv.Itoa(id), nil)
	if got := body["image"].(map[string]any)["regions"].([]any); len(got) != 2 || got[1] != "nyc3" {
		t.Errorf("regions after the transfer %v", got)
	}
	for _, tc := range []struct {
		path string
		req  map[string]any
		code int
	}{
		{path, map[string]any{"type": "transfer", "region": "mars1"}, 422},
		{path, map[string]any{"type": "rename"}, 422},
		{"/v2/images/1/actions", map[string]any{"type": "convert"}, 404},
	} {
		if resp, body := c.do("POST", tc.path, tc.req); resp.StatusCode != tc.code {
			t.Errorf("%v: %s %v, want %d", tc.req, resp.Status, body, tc.code)
		}
	}
	_, body = c.do("GET", "/v2/images/ubuntu-24-04-x64", nil)
	public := strconv.Itoa(int(body["image"].(map[string]any)["id"].(float64)))
	if resp, _ := c.do("POST", "/v2/images/"+public+"/actions", map[string]any{"type": "transfer", "region": "nyc3"}); resp.StatusCode != 403 {
		t.Errorf("an action on a public image: %s", resp.Status)
	}
	if resp, _ := c.do("GET", path+"/999999", nil); resp.StatusCode != 404 {
		t.Errorf("an action that is not there: %s", resp.Status)
	}
}
