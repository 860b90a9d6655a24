package sim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// What Ignition (metadata/v1/user-data), strata's agent (public-keys),
// cloud-init and Afterburn (v1.json, interfaces) read, by hand.
func TestMetadataService(t *testing.T) {
	s, c := startRaw(t, Options{})
	resp, body := c.do("POST", "/v2/account/keys", map[string]any{"name": "k", "public_key": pubKey})
	if resp.StatusCode != 201 {
		t.Fatalf("create key: %s %v", resp.Status, body)
	}
	keyID := body["ssh_key"].(map[string]any)["id"]
	ud := `{"ignition":{"version":"3.4.0"}}`
	create := func(name string, req map[string]any) (int, func(method, path string) (int, string)) {
		t.Helper()
		req["name"], req["region"], req["size"], req["image"] = name, "fra1", "s-1vcpu-1gb", "debian-12-x64"
		resp, body := c.do("POST", "/v2/droplets", req)
		if resp.StatusCode != 202 {
			t.Fatalf("create droplet: %s %v", resp.Status, body)
		}
		id := int(body["droplet"].(map[string]any)["id"].(float64))
		srv := httptest.NewServer(s.metadataHandler(id))
		t.Cleanup(srv.Close)
		return id, func(method, path string) (int, string) {
			t.Helper()
			r, _ := http.NewRequest(method, srv.URL+path, nil)
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b)
		}
	}
	id, get := create("web-1", map[string]any{"user_data": ud, "ssh_keys": []any{keyID}, "tags": []string{"strata"}})
	in, _ := s.Instance(strconv.Itoa(id))
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/metadata/v1/user-data", ud, 200},
		{"/metadata/v1/public-keys", strings.TrimSpace(pubKey), 200},
		{"/metadata/v1/id", strconv.Itoa(id), 200},
		{"/metadata/v1/hostname", "web-1", 200},
		{"/metadata/v1/region", "fra1", 200},
		{"/metadata/v1/tags/", "strata", 200},
		{"/metadata/v1/interfaces/private/0/ipv4/address", "10.116.", 200},
		{"/metadata/v1/interfaces/", "private/\npublic/", 200},
		{"/metadata/v1/", "interfaces/", 200},
		{"/metadata/v1/nothing", "", 404},
	} {
		status, body := get("GET", tc.path)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d %q, want %d with %q", tc.path, status, body, tc.status, tc.want)
		}
	}
	_, doc := get("GET", "/metadata/v1.json")
	var md struct {
		DropletID  int      `json:"droplet_id"`
		Hostname   string   `json:"hostname"`
		UserData   string   `json:"user_data"`
		PublicKeys []string `json:"public_keys"`
		Interfaces map[string][]struct {
			IPv4 struct {
				IPAddress string `json:"ip_address"`
			} `json:"ipv4"`
		} `json:"interfaces"`
	}
	if err := json.Unmarshal([]byte(doc), &md); err != nil {
		t.Fatalf("v1.json: %v: %s", err, doc)
	}
	if md.DropletID != id || md.Hostname != "web-1" || md.UserData != ud || len(md.PublicKeys) != 1 || md.Interfaces["public"][0].IPv4.IPAddress == "" ||
		len(in.SSHKeys) != 1 || md.PublicKeys[0] != in.SSHKeys[0] {
		t.Errorf("v1.json: %+v", md)
	}
	if status, _ := get("PUT", "/metadata/v1/user-data"); status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d, want 405", status)
	}
	if log := s.MetadataLog(id); len(log) == 0 || log[0].Path != "/metadata/v1/user-data" || log[0].Status != 200 {
		t.Errorf("log %+v", log)
	}

	// Without userdata and keys: an empty user-data (Ignition's "no
	// config"; a 404 fails Ignition), an empty key list.
	_, get2 := create("web-2", map[string]any{})
	if status, body := get2("GET", "/metadata/v1/user-data"); status != 200 || body != "" {
		t.Errorf("user-data of a droplet without: %d %q", status, body)
	}
	if status, body := get2("GET", "/metadata/v1/public-keys"); status != 200 || body != "" {
		t.Errorf("public-keys of a droplet without: %d %q", status, body)
	}
}
