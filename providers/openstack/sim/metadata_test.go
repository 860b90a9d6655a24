package sim

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// metadataOf makes a server through the API (with a key pair when key,
// with userdata when ud is not empty) and serves its metadata service.
func metadataOf(t *testing.T, s *Server, c *rawClient, name, key, ud string) (id string, get func(method, path string) (int, string)) {
	t.Helper()
	req := map[string]any{"name": name, "imageRef": c.imageID("cirros"), "flavorRef": "1", "networks": []any{map[string]any{"port": c.createPort(name)}}}
	if key != "" {
		if resp, body := c.do("POST", "/compute/v2.1/os-keypairs", map[string]any{"keypair": map[string]any{"name": key, "public_key": testKey}}, nil); resp.StatusCode != 200 {
			t.Fatalf("key pair: %d %v", resp.StatusCode, body)
		}
		req["key_name"] = key
	}
	if ud != "" {
		req["user_data"] = base64.StdEncoding.EncodeToString([]byte(ud))
	}
	resp, body := c.do("POST", "/compute/v2.1/servers", map[string]any{"server": req}, nil)
	if resp.StatusCode != 202 {
		t.Fatalf("create server: %d %v", resp.StatusCode, body)
	}
	id = body["server"].(map[string]any)["id"].(string)
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

// What Ignition (openstack/latest/user_data), cloud-init and strata's
// agent (meta_data.json) and Afterburn (the EC2 tree) read, by hand.
func TestMetadataService(t *testing.T) {
	s, c := startRaw(t, Options{})
	ud := `{"ignition":{"version":"3.4.0"}}`
	id, get := metadataOf(t, s, c, "vm1", "k1", ud)
	for _, tc := range []struct {
		path, want string
		status     int
	}{
		{"/openstack/latest/user_data", ud, 200},
		{"/openstack/2018-08-27/user_data", ud, 200}, // a listed version answers as latest
		{"/latest/user-data", ud, 200},
		{"/openstack", "2012-08-10\n", 200},
		{"/openstack/latest/", "meta_data.json\nnetwork_data.json\npassword\nuser_data\nvendor_data.json\nvendor_data2.json", 200},
		{"/latest/meta-data/public-keys", "0=k1", 200},
		{"/latest/meta-data/public-keys/0/openssh-key", testKey, 200},
		{"/latest/meta-data/instance-id", id, 200},
		{"/latest/meta-data/local-ipv4", "10.0.0.", 200},
		{"/openstack/2011-01-01/user_data", "", 404}, // not a version Nova lists
		{"/openstack/latest/nothing", "", 404},
	} {
		status, body := get("GET", tc.path)
		if status != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s: %d %q, want %d with %q", tc.path, status, body, tc.status, tc.want)
		}
	}
	_, listing := get("GET", "/latest/meta-data/")
	if !strings.Contains(listing, "public-keys/\n") || strings.Contains(listing, "public-keys\n") || !strings.Contains(listing, "placement/") {
		t.Errorf("meta-data/ lists %q: directories end in a slash, once", listing)
	}
	_, body := get("GET", "/openstack/latest/meta_data.json")
	var md struct {
		UUID       string            `json:"uuid"`
		Name       string            `json:"name"`
		Hostname   string            `json:"hostname"`
		PublicKeys map[string]string `json:"public_keys"`
		Keys       []struct{ Name, Type, Data string }
	}
	if err := json.Unmarshal([]byte(body), &md); err != nil {
		t.Fatalf("meta_data.json: %v: %s", err, body)
	}
	if md.UUID != id || md.Name != "vm1" || md.Hostname != "vm1.novalocal" || md.PublicKeys["k1"] != testKey || len(md.Keys) != 1 || md.Keys[0].Type != "ssh" {
		t.Errorf("meta_data.json: %+v", md)
	}
	if status, _ := get("POST", "/openstack/latest/user_data"); status != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", status)
	}
	log := s.MetadataLog(id)
	if len(log) == 0 || log[0].Path != "/openstack/latest/user_data" || log[0].Status != 200 || log[len(log)-1].Status != 405 {
		t.Errorf("log %+v", log)
	}

	// A server made without userdata or key pair has neither: user_data is
	// a 404 (Ignition's "no config"), public_keys absent.
	_, get2 := metadataOf(t, s, c, "vm2", "", "")
	if status, _ := get2("GET", "/openstack/latest/user_data"); status != 404 {
		t.Errorf("user_data of a server without: %d", status)
	}
	if _, body := get2("GET", "/openstack/latest/meta_data.json"); strings.Contains(body, "public_keys") {
		t.Errorf("meta_data.json of a server without a key pair: %s", body)
	}
	if _, listing := get2("GET", "/openstack/latest"); strings.Contains(listing, "user_data") {
		t.Errorf("latest/ lists %q without userdata", listing)
	}
}
