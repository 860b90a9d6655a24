package sim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/compute/metadata"
)

// metadataServer serves the metadata of an instance with user-data and a
// key for core, as the gce provider sets them.
func metadataServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	s := New(Options{})
	s.AddInstance("m1", nil, time.Now())
	s.mu.Lock()
	in := s.instances["m1"]
	in.Metadata = map[string]string{"user-data": `{"ignition":{"version":"3.4.0"}}`, "ssh-keys": "core:ssh-ed25519 AAAAflight strata"}
	in.PublicIP = "203.0.113.9"
	s.mu.Unlock()
	srv := httptest.NewServer(s.metadataHandler("m1"))
	t.Cleanup(srv.Close)
	return s, srv
}

// Google's own metadata client (cloud.google.com/go/compute/metadata)
// reads what a guest reads.
func TestMetadataThroughGooglesClient(t *testing.T) {
	s, srv := metadataServer(t)
	t.Setenv("GCE_METADATA_HOST", strings.TrimPrefix(srv.URL, "http://"))
	c := metadata.NewClient(srv.Client())
	ctx := context.Background()
	for what, get := range map[string]func(context.Context) (string, error){
		`{"ignition":{"version":"3.4.0"}}`: func(ctx context.Context) (string, error) {
			return c.InstanceAttributeValueWithContext(ctx, "user-data")
		},
		"core:ssh-ed25519 AAAAflight strata":     func(ctx context.Context) (string, error) { return c.InstanceAttributeValueWithContext(ctx, "ssh-keys") },
		"strata-sim":                             c.ProjectIDWithContext,
		"203.0.113.9":                            c.ExternalIPWithContext,
		s.Instances()[0].PrivateIP:               c.InternalIPWithContext,
		"m1.us-central1-a.c.strata-sim.internal": c.HostnameWithContext,
	} {
		got, err := get(ctx)
		if err != nil || got != what {
			t.Errorf("got %q, %v; want %q", got, err, what)
		}
	}
	if _, err := c.InstanceAttributeValueWithContext(ctx, "no-such"); err == nil {
		t.Error("an unknown attribute was found")
	}
	for _, r := range s.MetadataLog("m1") {
		if !r.Flavor {
			t.Errorf("Google's client sent a request without Metadata-Flavor: %+v", r)
		}
	}
}

// Compute Engine's rules, at the HTTP level.
func TestMetadataRules(t *testing.T) {
	_, srv := metadataServer(t)
	do := func(path string, header map[string]string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	google := map[string]string{"Metadata-Flavor": "Google"}
	if code, body, _ := do("/computeMetadata/v1/instance/attributes/user-data", nil); code != 403 || !strings.Contains(body, "Missing Metadata-Flavor:Google header") {
		t.Errorf("without the header: %d %q, want 403", code, body)
	}
	if code, _, _ := do("/computeMetadata/v1/instance/attributes/user-data", map[string]string{"Metadata-Flavor": "Google", "X-Forwarded-For": "10.0.0.1"}); code != 403 {
		t.Errorf("with X-Forwarded-For: %d, want 403", code)
	}
	code, body, h := do("/computeMetadata/v1/instance/attributes/user-data", google)
	if code != 200 || !strings.Contains(body, "ignition") || h.Get("Metadata-Flavor") != "Google" {
		t.Errorf("user-data: %d %q %v", code, body, h)
	}
	if code, body, _ := do("/computeMetadata/v1/instance/attributes/", google); code != 200 || body != "ssh-keys\nuser-data\n" {
		t.Errorf("attributes listing: %d %q", code, body)
	}
	if code, _, h := do("/computeMetadata/v1/instance/attributes", google); code != 301 || !strings.HasSuffix(h.Get("Location"), "/attributes/") {
		t.Errorf("a directory without its slash: %d %v, want a redirect", code, h.Get("Location"))
	}
	code, body, _ = do("/computeMetadata/v1/instance/network-interfaces/?recursive=true", google)
	var nics map[string]map[string]any
	if err := json.Unmarshal([]byte(body), &nics); code != 200 || err != nil || nics["0"]["ip"] == nil {
		t.Errorf("recursive: %d %q %v", code, body, err)
	}
	if code, _, _ := do("/computeMetadata/v1/instance/no-such", google); code != 404 {
		t.Errorf("unknown: %d, want 404", code)
	}
}
