package sim

import (
	"bytes"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cloud/fault"
)

// rawClient speaks the OpenStack APIs by hand (net/http and JSON, no
// gophercloud), as their API references have them: the simulator's
// second client.
type rawClient struct {
	t     *testing.T
	base  string
	token string
	http  *http.Client
}

const testKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXmmAYJcHJMzXzcFn+SqI0dmTpbpqbcEmrMKs4WtCvK test"

func startRaw(t *testing.T, opts Options) (*Server, *rawClient) {
	t.Helper()
	s := New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddUser("alice", "pw")
	c := &rawClient{t: t, base: srv.URL, http: srv.Client()}
	resp, _ := c.do("POST", "/identity/v3/auth/tokens", passwordAuth("alice", "pw"), nil)
	if resp.StatusCode != 201 {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	c.token = resp.Header.Get("X-Subject-Token")
	return s, c
}

func passwordAuth(user, password string) map[string]any {
	return map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": map[string]any{
			"name": user, "domain": map[string]any{"name": "Default"}, "password": password}}},
		"scope": map[string]any{"project": map[string]any{"name": ProjectName, "domain": map[string]any{"id": "default"}}},
	}}
}

// do makes a call with a JSON body (or raw bytes) and decodes a JSON
// answer; text answers come back under "text".
func (c *rawClient) do(method, path string, body any, header map[string]string) (*http.Response, map[string]any) {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(path, "http") {
		u = c.base + path
	}
	var r io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case []byte:
		r, ctype = bytes.NewReader(b), "application/octet-stream"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, u, r)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	if c.token != "" {
		req.Header.Set("X-Auth-Token", c.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if json.Unmarshal(raw, &out) != nil && len(raw) > 0 {
		out = map[string]any{"text": string(raw)}
	}
	return resp, out
}

func TestIdentity(t *testing.T) {
	s, c := startRaw(t, Options{Region: "Zone9"})
	s.AddApplicationCredential("alice", "ac-1", "ci", "s3cret")
	resp, body := c.do("GET", "/identity/", nil, nil)
	values := body["versions"].(map[string]any)["values"].([]any)
	if resp.StatusCode != 300 || values[0].(map[string]any)["id"] != "v3.14" {
		t.Errorf("version discovery: %d %v", resp.StatusCode, body)
	}
	for name, auth := range map[string]map[string]any{
		"by ID": {"auth": map[string]any{"identity": map[string]any{"methods": []string{"application_credential"},
			"application_credential": map[string]any{"id": "ac-1", "secret": "s3cret"}}}},
		"by name": {"auth": map[string]any{"identity": map[string]any{"methods": []string{"application_credential"},
			"application_credential": map[string]any{"name": "ci", "secret": "s3cret", "user": map[string]any{"name": "alice", "domain": map[string]any{"id": "default"}}}}}},
	} {
		resp, body := c.do("POST", "/identity/v3/auth/tokens", auth, nil)
		if resp.StatusCode != 201 || resp.Header.Get("X-Subject-Token") == "" {
			t.Fatalf("application credential %s: %d %v", name, resp.StatusCode, body)
		}
		tok := body["token"].(map[string]any)
		if tok["project"].(map[string]any)["id"] != ProjectID {
			t.Errorf("application credential %s: token of project %v", name, tok["project"])
		}
		var types []string
		for _, svc := range tok["catalog"].([]any) {
			svc := svc.(map[string]any)
			types = append(types, svc["type"].(string))
			for _, ep := range svc["endpoints"].([]any) {
				if r := ep.(map[string]any)["region"]; r != "Zone9" {
					t.Errorf("endpoint of region %v, want Zone9", r)
				}
			}
		}
		if got := strings.Join(types, ","); got != "identity,compute,image,network" {
			t.Errorf("catalog has %s", got)
		}
	}
	// Keystone's error body, and no token for a wrong secret.
	resp, body = c.do("POST", "/identity/v3/auth/tokens", passwordAuth("alice", "wrong"), nil)
	if e, _ := body["error"].(map[string]any); resp.StatusCode != 401 || e["code"] != float64(401) || resp.Header.Get("X-Subject-Token") != "" {
		t.Errorf("wrong password: %d %v", resp.StatusCode, body)
	}
	// Every other call needs a valid token.
	c.token = "gAAAAAforged"
	if resp, _ := c.do("GET", "/compute/v2.1/servers/detail", nil, nil); resp.StatusCode != 401 {
		t.Errorf("a forged token: %d", resp.StatusCode)
	}
}

func TestExpiredTokens(t *testing.T) {
	s, c := startRaw(t, Options{})
	s.ExpireTokens()
	if resp, _ := c.do("GET", "/network/v2.0/networks", nil, nil); resp.StatusCode != 401 {
		t.Errorf("an expired token: %d", resp.StatusCode)
	}
}

// createPort makes a port on the private network.
func (c *rawClient) createPort(name string) string {
	c.t.Helper()
	_, nets := c.do("GET", "/network/v2.0/networks?name=private", nil, nil)
	netID := nets["networks"].([]any)[0].(map[string]any)["id"]
	resp, body := c.do("POST", "/network/v2.0/ports", map[string]any{"port": map[string]any{"network_id": netID, "name": name, "description": "strata x"}}, nil)
	if resp.StatusCode != 201 {
		c.t.Fatalf("create port: %d %v", resp.StatusCode, body)
	}
	return body["port"].(map[string]any)["id"].(string)
}

func (c *rawClient) imageID(name string) string {
	c.t.Helper()
	_, body := c.do("GET", "/image/v2/images?name="+name, nil, nil)
	return body["images"].([]any)[0].(map[string]any)["id"].(string)
}

func TestServerLifecycle(t *testing.T) {
	s, c := startRaw(t, Options{ActiveGets: 2})
	if resp, body := c.do("POST", "/compute/v2.1/os-keypairs", map[string]any{"keypair": map[string]any{"name": "k1", "public_key": testKey}}, nil); resp.StatusCode != 200 {
		t.Fatalf("key pair: %d %v", resp.StatusCode, body)
	}
	port := c.createPort("p1")
	ud := "#cloud-config\n"
	resp, body := c.do("POST", "/compute/v2.1/servers", map[string]any{"server": map[string]any{
		"name": "vm1", "imageRef": c.imageID("cirros"), "flavorRef": "2", "key_name": "k1", "config_drive": true,
		"user_data": base64.StdEncoding.EncodeToString([]byte(ud)), "metadata": map[string]string{"strata-path": "f/c/m"},
		"networks": []any{map[string]any{"port": port}},
	}}, nil)
	if resp.StatusCode != 202 {
		t.Fatalf("create server: %d %v", resp.StatusCode, body)
	}
	id := body["server"].(map[string]any)["id"].(string)
	var statuses []string
	var srv map[string]any
	for range 3 {
		_, body = c.do("GET", "/compute/v2.1/servers/"+id, nil, nil)
		srv = body["server"].(map[string]any)
		statuses = append(statuses, srv["status"].(string))
	}
	if got := strings.Join(statuses, " "); got != "BUILD BUILD ACTIVE" {
		t.Errorf("statuses %s", got)
	}
	addr := srv["addresses"].(map[string]any)["private"].([]any)[0].(map[string]any)
	if addr["OS-EXT-IPS:type"] != "fixed" || !strings.HasPrefix(addr["addr"].(string), "10.0.0.") {
		t.Errorf("address %v", addr)
	}
	if srv["config_drive"] != "True" || srv["key_name"] != "k1" || srv["metadata"].(map[string]any)["strata-path"] != "f/c/m" {
		t.Errorf("server %v", srv)
	}
	if in, _ := s.Instance(id); string(in.UserData) != ud || len(in.SSHKeys) != 1 || in.SSHKeys[0] != testKey {
		t.Errorf("instance got %+v", in)
	}
	// The port is bound to it; a second server cannot take it.
	_, body = c.do("GET", "/network/v2.0/ports?device_id="+id, nil, nil)
	if ps := body["ports"].([]any); len(ps) != 1 || ps[0].(map[string]any)["id"] != port {
		t.Errorf("ports of the server: %v", body)
	}
	resp, body = c.do("POST", "/compute/v2.1/servers", map[string]any{"server": map[string]any{
		"name": "vm2", "imageRef": c.imageID("cirros"), "flavorRef": "2", "networks": []any{map[string]any{"port": port}}}}, nil)
	if e, _ := body["conflictingRequest"].(map[string]any); resp.StatusCode != 409 || e["code"] != float64(409) {
		t.Errorf("a bound port taken again: %d %v", resp.StatusCode, body)
	}
	// One metadata key set as Nova's reference has it: the body holds
	// exactly the key of the URL.
	for _, tc := range []struct {
		body   map[string]any
		status int
	}{
		{map[string]any{"meta": map[string]string{"strata-kept": "f1"}}, 200},
		{map[string]any{"meta": map[string]string{"other": "x"}}, 400},
		{map[string]any{"meta": map[string]string{"strata-kept": "f1", "b": "y"}}, 400},
		{map[string]any{"meta": map[string]string{"strata-kept": strings.Repeat("v", 256)}}, 400},
	} {
		resp, body := c.do("PUT", "/compute/v2.1/servers/"+id+"/metadata/strata-kept", tc.body, nil)
		if resp.StatusCode != tc.status {
			t.Errorf("set metadatum %v: %d %v, want %d", tc.body, resp.StatusCode, body, tc.status)
		}
	}
	_, body = c.do("GET", "/compute/v2.1/servers/"+id, nil, nil)
	if md := body["server"].(map[string]any)["metadata"].(map[string]any); md["strata-kept"] != "f1" || md["strata-path"] != "f/c/m" || len(md) != 2 {
		t.Errorf("metadata after setting one key: %v", md)
	}
	if resp, _ := c.do("PUT", "/compute/v2.1/servers/nope/metadata/k", map[string]any{"meta": map[string]string{"k": "v"}}, nil); resp.StatusCode != 404 {
		t.Errorf("metadatum of a server that is not there: %d", resp.StatusCode)
	}
	s.SetConsole(id, "one\ntwo\nthree\n")
	_, body = c.do("POST", "/compute/v2.1/servers/"+id+"/action", map[string]any{"os-getConsoleOutput": map[string]any{"length": 2}}, nil)
	if body["output"] != "two\nthree\n" {
		t.Errorf("console of 2 lines: %q", body["output"])
	}
	// Deleting the server unbinds the port it was given, as Nova does.
	if resp, _ := c.do("DELETE", "/compute/v2.1/servers/"+id, nil, nil); resp.StatusCode != 204 {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	resp, body = c.do("GET", "/compute/v2.1/servers/"+id, nil, nil)
	if e, _ := body["itemNotFound"].(map[string]any); resp.StatusCode != 404 || !strings.Contains(e["message"].(string), id) {
		t.Errorf("a deleted server: %d %v", resp.StatusCode, body)
	}
	_, body = c.do("GET", "/network/v2.0/ports?name=p1", nil, nil)
	if p := body["ports"].([]any)[0].(map[string]any); p["device_id"] != "" {
		t.Errorf("the port is still bound: %v", p)
	}
}

func TestRefusals(t *testing.T) {
	_, c := startRaw(t, Options{})
	for _, tc := range []struct {
		name, method, path string
		body               any
		status             int
		key                string // the error body's key
	}{
		{"unknown flavor", "POST", "/compute/v2.1/servers", map[string]any{"server": map[string]any{"name": "x", "imageRef": c.imageID("cirros"), "flavorRef": "99", "networks": []any{}}}, 400, "badRequest"},
		{"unknown image", "POST", "/compute/v2.1/servers", map[string]any{"server": map[string]any{"name": "x", "imageRef": "nope", "flavorRef": "1"}}, 400, "badRequest"},
		{"bad user data", "POST", "/compute/v2.1/servers", map[string]any{"server": map[string]any{"name": "x", "user_data": "%%%"}}, 400, "badRequest"},
		{"duplicate key pair", "POST", "/compute/v2.1/os-keypairs", map[string]any{"keypair": map[string]any{"name": "dup", "public_key": testKey}}, 409, "conflictingRequest"},
		{"unknown key pair", "DELETE", "/compute/v2.1/os-keypairs/none", nil, 404, "itemNotFound"},
		{"unknown port", "DELETE", "/network/v2.0/ports/none", nil, 404, "NeutronError"},
		{"floating IP of an internal network", "POST", "/network/v2.0/floatingips", map[string]any{"floatingip": map[string]any{"floating_network_id": "none"}}, 404, "NeutronError"},
		{"unknown image delete", "DELETE", "/image/v2/images/none", nil, 404, "text"},
		{"unknown path", "GET", "/compute/v2.1/os-hypervisors", nil, 404, "itemNotFound"},
	} {
		if tc.name == "duplicate key pair" {
			c.do("POST", "/compute/v2.1/os-keypairs", tc.body, nil)
		}
		resp, body := c.do(tc.method, tc.path, tc.body, nil)
		if resp.StatusCode != tc.status || body[tc.key] == nil {
			t.Errorf("%s: %d %v, want %d with %q", tc.name, resp.StatusCode, body, tc.status, tc.key)
		}
	}
	// Neutron names the kind of error.
	_, body := c.do("DELETE", "/network/v2.0/ports/none", nil, nil)
	if e := body["NeutronError"].(map[string]any); e["type"] != "PortNotFound" {
		t.Errorf("Neutron error %v", e)
	}
	// Glance's plain text.
	resp, body := c.do("DELETE", "/image/v2/images/none", nil, nil)
	if !strings.HasPrefix(body["text"].(string), "404 Not Found\n\n") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("Glance's error %q", body["text"])
	}
}

func TestImageUpload(t *testing.T) {
	_, c := startRaw(t, Options{})
	resp, body := c.do("POST", "/image/v2/images", map[string]any{"name": "flatcar", "disk_format": "qcow2", "container_format": "bare",
		"tags": []string{"strata"}, "version": "4081.2.0"}, nil)
	if resp.StatusCode != 201 || body["status"] != "queued" || body["version"] != "4081.2.0" || body["size"] != nil {
		t.Fatalf("create: %d %v", resp.StatusCode, body)
	}
	id := body["id"].(string)
	data := bytes.Repeat([]byte("strata"), 100000)
	if resp, body := c.do("PUT", "/image/v2/images/"+id+"/file", data, map[string]string{"Content-Type": "text/plain"}); resp.StatusCode != 415 {
		t.Errorf("upload as text: %d %v", resp.StatusCode, body)
	}
	if resp, body := c.do("PUT", "/image/v2/images/"+id+"/file", data, nil); resp.StatusCode != 204 {
		t.Fatalf("upload: %d %v", resp.StatusCode, body)
	}
	_, body = c.do("GET", "/image/v2/images/"+id, nil, nil)
	want := sha512.Sum512(data)
	if body["status"] != "active" || body["size"] != float64(len(data)) || body["os_hash_algo"] != "sha512" || body["os_hash_value"] != hex.EncodeToString(want[:]) {
		t.Errorf("after upload: %v", body)
	}
	if resp, _ := c.do("PUT", "/image/v2/images/"+id+"/file", data, nil); resp.StatusCode != 409 {
		t.Errorf("a second upload: %d", resp.StatusCode)
	}
	// The tag filter, and paging with Glance's relative next link.
	for range 6 {
		c.do("POST", "/image/v2/images", map[string]any{"name": "other", "tags": []string{"x"}}, nil)
	}
	_, body = c.do("GET", "/image/v2/images?tag=strata", nil, nil)
	if n := len(body["images"].([]any)); n != 1 {
		t.Errorf("%d images tagged strata", n)
	}
	seen := map[string]bool{}
	next := "/v2/images?limit=3"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("no end of pages")
		}
		_, body = c.do("GET", "/image"+next, nil, nil)
		for _, im := range body["images"].([]any) {
			seen[im.(map[string]any)["id"].(string)] = true
		}
		next, _ = body["next"].(string)
	}
	if len(seen) != 8 {
		t.Errorf("%d images seen over the pages, want 8", len(seen))
	}
}

func TestNetworkPagingAndGroups(t *testing.T) {
	_, c := startRaw(t, Options{PageSize: 2})
	for i := range 5 {
		c.createPort("p" + string(rune('a'+i)))
	}
	seen := 0
	url := "/network/v2.0/ports?description=strata+x"
	for url != "" {
		_, body := c.do("GET", url, nil, nil)
		seen += len(body["ports"].([]any))
		url = ""
		for _, l := range body["ports_links"].([]any) {
			if l := l.(map[string]any); l["rel"] == "next" {
				url = l["href"].(string)
			}
		}
	}
	if seen != 5 {
		t.Errorf("%d ports over the pages, want 5", seen)
	}
	resp, body := c.do("POST", "/network/v2.0/security-groups", map[string]any{"security_group": map[string]any{"name": "ssh"}}, nil)
	if resp.StatusCode != 201 {
		t.Fatalf("group: %d %v", resp.StatusCode, body)
	}
	g := body["security_group"].(map[string]any)
	if n := len(g["security_group_rules"].([]any)); n != 2 {
		t.Errorf("a new group has %d rules, want the 2 default egress ones", n)
	}
	if resp, body := c.do("POST", "/network/v2.0/security-group-rules", map[string]any{"security_group_rule": map[string]any{
		"security_group_id": g["id"], "direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22}}, nil); resp.StatusCode != 201 {
		t.Errorf("rule: %d %v", resp.StatusCode, body)
	}
	_, nets := c.do("GET", "/network/v2.0/networks?name=private", nil, nil)
	netID := nets["networks"].([]any)[0].(map[string]any)["id"]
	_, body = c.do("POST", "/network/v2.0/ports", map[string]any{"port": map[string]any{"network_id": netID, "security_groups": []any{g["id"]}}}, nil)
	port := body["port"].(map[string]any)["id"].(string)
	resp, body = c.do("DELETE", "/network/v2.0/security-groups/"+g["id"].(string), nil, nil)
	if e, _ := body["NeutronError"].(map[string]any); resp.StatusCode != 409 || e["type"] != "SecurityGroupInUse" {
		t.Errorf("deleting a group in use: %d %v", resp.StatusCode, body)
	}
	_, ext := c.do("GET", "/network/v2.0/networks?router:external=true", nil, nil)
	pub := ext["networks"].([]any)[0].(map[string]any)
	resp, body = c.do("POST", "/network/v2.0/floatingips", map[string]any{"floatingip": map[string]any{"floating_network_id": pub["id"], "port_id": port}}, nil)
	if f, _ := body["floatingip"].(map[string]any); resp.StatusCode != 201 || f["status"] != "ACTIVE" || !strings.HasPrefix(f["floating_ip_address"].(string), "172.24.4.") {
		t.Errorf("floating IP: %d %v", resp.StatusCode, body)
	}
	resp, body = c.do("POST", "/network/v2.0/floatingips", map[string]any{"floatingip": map[string]any{"floating_network_id": netID}}, nil)
	if resp.StatusCode != 400 {
		t.Errorf("a floating IP of an internal network: %d %v", resp.StatusCode, body)
	}
}

func TestFaults(t *testing.T) {
	s, c := startRaw(t, Options{})
	s.Faults().Set(fault.Rule{Call: "servers.List", Times: 1, Effect: fault.Throttle}, fault.Rule{Call: "images.List", Times: 1, Effect: fault.ServerError})
	resp, body := c.do("GET", "/compute/v2.1/servers/detail", nil, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" || body["overLimit"] == nil {
		t.Errorf("throttled: %d %v %v", resp.StatusCode, resp.Header, body)
	}
	if resp, _ := c.do("GET", "/compute/v2.1/servers/detail", nil, nil); resp.StatusCode != 200 {
		t.Errorf("after the throttle: %d", resp.StatusCode)
	}
	if resp, _ := c.do("GET", "/image/v2/images", nil, nil); resp.StatusCode != 503 {
		t.Errorf("Glance's server error: %d", resp.StatusCode)
	}
	// A lost answer: the key pair is made, the caller hears a 500.
	s.Faults().Set(fault.Rule{Call: "keypairs.Create", Times: 1, Effect: fault.LoseAnswer})
	if resp, _ := c.do("POST", "/compute/v2.1/os-keypairs", map[string]any{"keypair": map[string]any{"name": "lost", "public_key": testKey}}, nil); resp.StatusCode != 500 {
		t.Errorf("lost answer: %d", resp.StatusCode)
	}
	if got := s.KeyPairs(); len(got) != 1 || got[0] != "lost" {
		t.Errorf("key pairs %v, want the one whose answer was lost", got)
	}
}

// Glance's image update is a JSON patch with its own media type: the
// visibility, the tags and extra properties change; read-only fields, a
// bad visibility and removing a missing property are refused as Glance
// refuses them.
func TestImagePatch(t *testing.T) {
	_, c := startRaw(t, Options{})
	_, body := c.do("POST", "/image/v2/images", map[string]any{"name": "rel", "disk_format": "qcow2", "container_format": "bare", "channel": "stable"}, nil)
	id := body["id"].(string)
	if body["visibility"] != "shared" {
		t.Errorf("a new image's visibility is %v, want Glance's default shared", body["visibility"])
	}
	patch := map[string]string{"Content-Type": "application/openstack-images-v2.1-json-patch"}
	resp, body := c.do("PATCH", "/image/v2/images/"+id, []map[string]any{
		{"op": "replace", "path": "/visibility", "value": "public"},
		{"op": "replace", "path": "/tags", "value": []string{"strata", "release"}},
		{"op": "add", "path": "/version", "value": "1.0.0"},
		{"op": "remove", "path": "/channel"},
	}, patch)
	if resp.StatusCode != 200 || body["visibility"] != "public" || body["version"] != "1.0.0" || body["channel"] != nil || len(body["tags"].([]any)) != 2 {
		t.Fatalf("patch: %d %v", resp.StatusCode, body)
	}
	for _, tc := range []struct {
		ops    []map[string]any
		header map[string]string
		status int
	}{
		{[]map[string]any{{"op": "replace", "path": "/visibility", "value": "public"}}, nil, 415},
		{[]map[string]any{{"op": "replace", "path": "/visibility", "value": "everyone"}}, patch, 400},
		{[]map[string]any{{"op": "replace", "path": "/status", "value": "active"}}, patch, 403},
		{[]map[string]any{{"op": "remove", "path": "/nosuch"}}, patch, 409},
	} {
		if resp, body := c.do("PATCH", "/image/v2/images/"+id, tc.ops, tc.header); resp.StatusCode != tc.status {
			t.Errorf("%v: %d %v, want %d", tc.ops, resp.StatusCode, body, tc.status)
		}
	}
	if _, body := c.do("GET", "/image/v2/images/"+id, nil, nil); body["visibility"] != "public" || body["version"] != "1.0.0" {
		t.Errorf("a refused patch changed the image: %v", body)
	}
}
