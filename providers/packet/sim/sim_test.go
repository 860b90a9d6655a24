package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cloud/fault"
)

// rawClient speaks the Metal API by hand (net/http and JSON, no
// packngo), as its API reference has it: the simulator's second client.
type rawClient struct {
	t       *testing.T
	base    string
	token   string
	project string
	http    *http.Client
}

const pubKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ3oXQBsd4z6yJmcQdPBVkDX7dP4XyQn1Ym1zF1Rj3yB test"

func startRaw(t *testing.T, opts Options) (*Server, *rawClient) {
	t.Helper()
	s := New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddToken("tok")
	return s, &rawClient{t: t, base: srv.URL + Prefix, token: "tok", project: s.AddProject("p"), http: srv.Client()}
}

func (c *rawClient) do(method, path string, body any) (*http.Response, map[string]any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	req.Header.Set("X-Auth-Token", c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

func TestDeviceLifecycle(t *testing.T) {
	s, c := startRaw(t, Options{ActiveGets: 2, PageSize: 2})
	resp, body := c.do("POST", "/projects/"+c.project+"/ssh-keys", map[string]any{"label": "k", "key": pubKey})
	if resp.StatusCode != 201 {
		t.Fatalf("key: %s %v", resp.Status, body)
	}
	keyID := body["id"].(string)
	if resp, body := c.do("POST", "/projects/"+c.project+"/ssh-keys", map[string]any{"label": "again", "key": pubKey}); resp.StatusCode != 422 {
		t.Errorf("the same key twice: %s %v", resp.Status, body)
	}
	for _, tc := range []struct {
		name string
		req  map[string]any
		want string
	}{
		{"bad plan", map[string]any{"hostname": "a", "plan": "huge", "metro": "sv", "operating_system": "flatcar_stable"}, "not a valid plan"},
		{"bad metro", map[string]any{"hostname": "a", "plan": "c3.small.x86", "metro": "xx", "operating_system": "flatcar_stable"}, "not a valid metro"},
		{"no place", map[string]any{"hostname": "a", "plan": "c3.small.x86", "operating_system": "flatcar_stable"}, "Metro or facility is required"},
		{"ipxe without script", map[string]any{"hostname": "a", "plan": "c3.small.x86", "metro": "sv", "operating_system": "custom_ipxe"}, "iPXE script URL"},
		{"foreign key", map[string]any{"hostname": "a", "plan": "c3.small.x86", "metro": "sv", "operating_system": "flatcar_stable", "project_ssh_keys": []string{"nope"}}, "not a key of the project"},
	} {
		resp, body := c.do("POST", "/projects/"+c.project+"/devices", tc.req)
		errs, _ := body["errors"].([]any)
		if resp.StatusCode != 422 || len(errs) == 0 || !strings.Contains(errs[0].(string), tc.want) {
			t.Errorf("%s: %s %v, want 422 saying %q", tc.name, resp.Status, body, tc.want)
		}
	}
	var ids []string
	for _, h := range []string{"a", "b", "c"} {
		resp, body := c.do("POST", "/projects/"+c.project+"/devices", map[string]any{"hostname": h, "plan": "c3.small.x86", "metro": "sv",
			"operating_system": "custom_ipxe", "ipxe_script_url": "http://x/boot.ipxe", "always_pxe": true, "userdata": "#cloud-config\n",
			"tags": []string{"strata", "t-" + h}, "project_ssh_keys": []string{keyID}})
		if resp.StatusCode != 201 || body["state"] != "queued" {
			t.Fatalf("create %s: %s %v", h, resp.Status, body)
		}
		ids = append(ids, body["id"].(string))
	}
	var states []string
	var dev map[string]any
	for range 3 {
		_, dev = c.do("GET", "/devices/"+ids[0], nil)
		states = append(states, dev["state"].(string))
	}
	if got := strings.Join(states, " "); got != "queued provisioning active" {
		t.Errorf("states %s", got)
	}
	ips := dev["ip_addresses"].([]any)
	if len(ips) != 2 || ips[0].(map[string]any)["public"] != true || dev["facility"].(map[string]any)["code"] != "sv15" {
		t.Errorf("device %v", dev)
	}
	if in, _ := s.Instance(ids[0]); len(in.SSHKeys) != 1 || !in.AlwaysPXE || in.IPXEScriptURL != "http://x/boot.ipxe" {
		t.Errorf("instance %+v", in)
	}
	// Pages of 2 with meta.next, and the tag filter.
	seen, path := 0, "/projects/"+c.project+"/devices"
	for path != "" {
		_, body := c.do("GET", path, nil)
		seen += len(body["devices"].([]any))
		path = ""
		if next, ok := body["meta"].(map[string]any)["next"].(map[string]any); ok {
			path = next["href"].(string)
		}
	}
	if seen != 3 {
		t.Errorf("%d devices over the pages, want 3", seen)
	}
	_, body = c.do("GET", "/projects/"+c.project+"/devices?tag=t-b", nil)
	if d := body["devices"].([]any); len(d) != 1 || d[0].(map[string]any)["hostname"] != "b" {
		t.Errorf("tagged t-b: %v", body)
	}
	// An update replaces the tags as a whole; an attribute that is not
	// a device's is refused.
	if resp, body := c.do("PUT", "/devices/"+ids[1], map[string]any{"tags": []string{"strata", "strata-kept"}}); resp.StatusCode != 200 {
		t.Errorf("update tags: %s %v", resp.Status, body)
	}
	_, body = c.do("GET", "/projects/"+c.project+"/devices?tag=t-b", nil)
	if d := body["devices"].([]any); len(d) != 0 {
		t.Errorf("still tagged t-b after the update: %v", d)
	}
	if _, dev := c.do("GET", "/devices/"+ids[1], nil); fmt.Sprint(dev["tags"]) != "[strata strata-kept]" {
		t.Errorf("tags after the update: %v", dev["tags"])
	}
	if resp, _ := c.do("PUT", "/devices/"+ids[1], map[string]any{"plan": "m3.large.x86"}); resp.StatusCode != 422 {
		t.Errorf("update of the plan: %s, want 422", resp.Status)
	}
	if resp, _ := c.do("PUT", "/devices/00000000-0000-4000-8000-000000000000", map[string]any{"tags": []string{}}); resp.StatusCode != 404 {
		t.Errorf("update of a device that is not there: %s", resp.Status)
	}
	if resp, _ := c.do("DELETE", "/devices/"+ids[0], map[string]any{"force_delete": true}); resp.StatusCode != 204 {
		t.Errorf("delete: %s", resp.Status)
	}
	resp, body = c.do("GET", "/devices/"+ids[0], nil)
	if resp.StatusCode != 404 || body["errors"].([]any)[0] != "Not found" {
		t.Errorf("a deleted device: %s %v", resp.Status, body)
	}
}

func TestAuthRateAndFaults(t *testing.T) {
	s, c := startRaw(t, Options{RateLimit: 100})
	c.token = "wrong"
	if resp, body := c.do("GET", "/projects/"+c.project, nil); resp.StatusCode != 401 || body["errors"] == nil {
		t.Errorf("a wrong key: %s %v", resp.Status, body)
	}
	c.token = "tok"
	resp, body := c.do("GET", "/projects/"+c.project, nil)
	if resp.StatusCode != 200 || body["name"] != "p" || resp.Header.Get("X-RateLimit-Limit") != "100" || resp.Header.Get("X-RateLimit-Remaining") == "" {
		t.Errorf("project: %s %v %v", resp.Status, resp.Header, body)
	}
	s.Faults().Set(fault.Rule{Call: "Devices.List", Times: 1, Effect: fault.Throttle})
	if resp, _ := c.do("GET", "/projects/"+c.project+"/devices", nil); resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("throttled: %s %v", resp.Status, resp.Header)
	}
	if resp, _ := c.do("GET", "/projects/00000000-0000-4000-8000-000000000000/devices", nil); resp.StatusCode != 404 {
		t.Errorf("another project: %s", resp.Status)
	}
}
