package sim

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/strata-os/strata/core/cloud/simfuzz"
)

// FuzzRequest: any request to Nova, Glance, Neutron or Keystone, with a
// token Keystone gave.
func FuzzRequest(f *testing.F) {
	for _, s := range []struct {
		m          uint8
		path, body string
	}{
		{1, "/compute/v2.1/servers", `{"server":{"name":"a","imageRef":"x","flavorRef":"2","metadata":{"strata-path":"f/c/m"},"networks":[{"port":"p"}],"user_data":"IyEvYmluL3NoCg=="}}`},
		{0, "/compute/v2.1/servers/detail?limit=2&marker=x", ""},
		{1, "/compute/v2.1/servers/x/action", `{"os-getConsoleOutput":{"length":50}}`},
		{2, "/compute/v2.1/servers/x/metadata/k", `{"meta":{"k":"v"}}`},
		{1, "/compute/v2.1/os-keypairs", `{"keypair":{"name":"k","public_key":"ssh-ed25519 AAAA k"}}`},
		{1, "/image/v2/images", `{"name":"i","disk_format":"qcow2","container_format":"bare","tags":["strata"]}`},
		{3, "/image/v2/images/x", `[{"op":"replace","path":"/visibility","value":"public"}]`},
		{1, "/network/v2.0/ports", `{"port":{"network_id":"n","name":"p","description":"strata f/c/m","security_groups":["g"]}}`},
		{1, "/network/v2.0/security-groups", `{"security_group":{"name":"g"}}`},
		{1, "/network/v2.0/floatingips", `{"floatingip":{"floating_network_id":"n","port_id":"p"}}`},
		{1, "/identity/v3/auth/tokens", `{"auth":{"identity":{"methods":["password"]}}}`},
	} {
		f.Add(s.m, s.path, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, m uint8, path string, body []byte) {
		s := New(Options{})
		s.AddUser("fuzz", "fuzz-password")
		auth, _ := json.Marshal(map[string]any{"auth": map[string]any{
			"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": map[string]any{
				"name": "fuzz", "domain": map[string]any{"name": "Default"}, "password": "fuzz-password"}}},
			"scope": map[string]any{"project": map[string]any{"name": ProjectName, "domain": map[string]any{"id": "default"}}},
		}})
		rec := simfuzz.Serve(t, s, http.MethodPost, "/identity/v3/auth/tokens", auth, nil)
		token := rec.Header().Get("X-Subject-Token")
		if token == "" {
			t.Fatalf("no token: %d %s", rec.Code, rec.Body)
		}
		simfuzz.Serve(t, s, simfuzz.Method(m), path, body, http.Header{"X-Auth-Token": {token}})
	})
}
