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

// rawClient speaks DigitalOcean's API v2 by hand (net/http and JSON, no
// godo), as its API reference has it: the simulator's second client.
type rawClient struct {
	t     *testing.T
	base  string
	token string
	http  *http.Client
}

func startRaw(t *testing.T, opts Options) (*Server, *rawClient) {
	t.Helper()
	s := New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddToken("tok")
	return s, &rawClient{t: t, base: srv.URL, token: "tok", http: srv.Client()}
}

func (c *rawClient) do(method, path string, body any) (*http.Response, map[string]any) {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = c.base + path
	}
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, r)
	req.Header.Set("Authorization", "Bearer "+c.token)
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

const pubKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ3oXQBsd4z6yJmcQdPBVkDX7dP4XyQn1Ym1zF1Rj3yB test"

func TestAuthErrorsAndRateHeaders(t *testing.T) {
	_, c := startRaw(t, Options{})
	c.token = "wrong"
	resp, body := c.do("GET", "/v2/account", nil)
	if resp.StatusCode != 401 || body["id"] != "unauthorized" || body["message"] == "" {
		t.Errorf("a wrong token: %s %v", resp.Status, body)
	}
	c.token = "tok"
	resp, body = c.do("GET", "/v2/account", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Ratelimit-Limit") != "5000" || resp.Header.Get("Ratelimit-Remaining") == "" || resp.Header.Get("Ratelimit-Reset") == "" {
		t.Errorf("account: %s %v %v", resp.Status, resp.Header, body)
	}
	resp, body = c.do("GET", "/v2/droplets/424242", nil)
	if resp.StatusCode != 404 || body["id"] != "not_found" {
		t.Errorf("a droplet that is not there: %s %v", resp.Status, body)
	}
}

func TestDropletLifecycle(t *testing.T) {
	s, c := startRaw(t, Options{ActiveGets: 2, PageSize: 2})
	resp, body := c.do("POST", "/v2/account/keys", map[string]any{"name": "k", "public_key": pubKey})
	if resp.StatusCode != 201 {
		t.Fatalf("create key: %s %v", resp.Status, body)
	}
	key := body["ssh_key"].(map[string]any)
	if fp, _ := key["fingerprint"].(string); len(fp) != 47 {
		t.Errorf("fingerprint %q", fp)
	}
	resp, body = c.do("POST", "/v2/account/keys", map[string]any{"name": "again", "public_key": pubKey})
	if resp.StatusCode != 422 || body["id"] != "unprocessable_entity" {
		t.Errorf("the same key twice: %s %v", resp.Status, body)
	}

	for _, tc := range []struct {
		name string
		req  map[string]any
		want string
	}{
		{"bad region", map[string]any{"name": "a", "region": "mars1", "size": "s-1vcpu-1gb", "image": "debian-12-x64"}, "invalid region"},
		{"bad size", map[string]any{"name": "a", "region": "sfo3", "size": "huge", "image": "debian-12-x64"}, "invalid size"},
		{"bad image", map[string]any{"name": "a", "region": "sfo3", "size": "s-1vcpu-1gb", "image": "nope"}, "invalid image"},
		{"bad name", map[string]any{"name": "a_b", "region": "sfo3", "size": "s-1vcpu-1gb", "image": "debian-12-x64"}, "not a valid host name"},
		{"big user data", map[string]any{"name": "a", "region": "sfo3", "size": "s-1vcpu-1gb", "image": "debian-12-x64", "user_data": strings.Repeat("x", 65<<10)}, "64 KiB"},
		{"unknown key", map[string]any{"name": "a", "region": "sfo3", "size": "s-1vcpu-1gb", "image": "debian-12-x64", "ssh_keys": []int{1}}, "does not exist"},
	} {
		resp, body := c.do("POST", "/v2/droplets", tc.req)
		if msg, _ := body["message"].(string); resp.StatusCode != 422 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %s %v, want 422 saying %q", tc.name, resp.Status, body, tc.want)
		}
	}

	// Three droplets in one call, tagged, with the key by fingerprint.
	resp, body = c.do("POST", "/v2/droplets", map[string]any{"names": []string{"a", "b", "c"}, "region": "sfo3", "size": "s-1vcpu-1gb",
		"image": "debian-12-x64", "ssh_keys": []any{key["fingerprint"]}, "user_data": "#cloud-config\n", "tags": []string{"strata", "run-1"}})
	if resp.StatusCode != 202 {
		t.Fatalf("create: %s %v", resp.Status, body)
	}
	ds := body["droplets"].([]any)
	first := ds[0].(map[string]any)
	id := fmt.Sprint(int(first["id"].(float64)))
	if first["status"] != "new" || len(first["networks"].(map[string]any)["v4"].([]any)) != 0 {
		t.Errorf("a new droplet: %v", first)
	}
	var status string
	for range 3 {
		_, body = c.do("GET", "/v2/droplets/"+id, nil)
		status, _ = body["droplet"].(map[string]any)["status"].(string)
	}
	if status != "active" {
		t.Errorf("after three reads the droplet is %q", status)
	}
	if in, ok := s.Instance(id); !ok || string(in.UserData) != "#cloud-config\n" || len(in.SSHKeys) != 1 || in.SSHKeys[0] != pubKey {
		t.Errorf("what the droplet was made with: %+v", in)
	}

	// The list pages by links.pages.next.
	var names []string
	next := "/v2/droplets?tag_name=run-1"
	for next != "" {
		_, body = c.do("GET", next, nil)
		for _, d := range body["droplets"].([]any) {
			names = append(names, d.(map[string]any)["name"].(string))
		}
		next, _ = body["links"].(map[string]any)["pages"].(map[string]any)["next"].(string)
	}
	if strings.Join(names, ",") != "a,b,c" || body["meta"].(map[string]any)["total"].(float64) != 3 {
		t.Errorf("listed %v (%v)", names, body["meta"])
	}

	resp, _ = c.do("DELETE", "/v2/droplets/"+id, nil)
	if resp.StatusCode != 204 {
		t.Errorf("delete: %s", resp.Status)
	}
	resp, body = c.do("DELETE", "/v2/droplets", nil)
	if resp.StatusCode != 422 {
		t.Errorf("a delete by no tag: %s %v", resp.Status, body)
	}
	resp, _ = c.do("DELETE", "/v2/droplets?tag_name=run-1", nil)
	if resp.StatusCode != 204 || len(s.Droplets()) != 0 {
		t.Errorf("delete by tag: %s, left %v", resp.Status, s.Droplets())
	}
}

// Throttling is DigitalOcean's 429 with its error body and rate-limit
// headers; a lost answer is a 500 after the droplet was made.
func TestFaults(t *testing.T) {
	s, c := startRaw(t, Options{})
	s.Faults().Set(fault.Rule{Call: "Droplets.List", Times: 1, Effect: fault.Throttle})
	resp, body := c.do("GET", "/v2/droplets", nil)
	if resp.StatusCode != 429 || body["id"] != "too_many_requests" || resp.Header.Get("Ratelimit-Remaining") == "" {
		t.Errorf("throttled: %s %v %v", resp.Status, resp.Header, body)
	}
	s.Faults().Set(fault.Rule{Call: "Droplets.Create", Times: 1, Effect: fault.LoseAnswer})
	resp, body = c.do("POST", "/v2/droplets", map[string]any{"name": "a", "region": "sfo3", "size": "s-1vcpu-1gb", "image": "debian-12-x64"})
	if resp.StatusCode != 500 || body["id"] != "server_error" || len(s.Droplets()) != 1 {
		t.Errorf("lost answer: %s %v, droplets %v", resp.Status, body, s.Droplets())
	}
}
