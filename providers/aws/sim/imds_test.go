package sim

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// launchForMetadata launches an instance with a key and userdata and
// serves its metadata service.
func launchForMetadata(t *testing.T, tokens types.HttpTokensState) (*Server, string, *httptest.Server) {
	t.Helper()
	s := New(Options{})
	c := client(t, s)
	ctx := context.Background()
	if _, err := c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("flight"), PublicKeyMaterial: []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB5F strata")}); err != nil {
		t.Fatal(err)
	}
	in := &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), KeyName: aws.String("flight"),
		UserData: aws.String(base64.StdEncoding.EncodeToString([]byte(`{"ignition":{"version":"3.4.0"}}`)))}
	if tokens != "" {
		in.MetadataOptions = &types.InstanceMetadataOptionsRequest{HttpTokens: tokens}
	}
	out, err := c.RunInstances(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Instances[0].InstanceId)
	md := httptest.NewServer(s.metadataHandler(id))
	t.Cleanup(md.Close)
	return s, id, md
}

// The SDK's own IMDS client (feature/ec2/imds: IMDSv2 sessions) reads
// what a guest reads.
func TestMetadataThroughTheSDKsIMDSClient(t *testing.T) {
	s, id, md := launchForMetadata(t, types.HttpTokensStateRequired)
	ctx := context.Background()
	c := imds.New(imds.Options{Endpoint: md.URL, EnableFallback: aws.FalseTernary})
	ud, err := c.GetUserData(ctx, &imds.GetUserDataInput{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(ud.Content)
	if string(b) != `{"ignition":{"version":"3.4.0"}}` {
		t.Errorf("user-data = %q", b)
	}
	for path, want := range map[string]string{
		"instance-id":                 id,
		"public-keys/":                "0=flight",
		"public-keys/0/openssh-key":   "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB5F strata\n",
		"placement/availability-zone": "us-east-1a",
		"local-ipv4":                  s.Instances()[0].PrivateIP,
		"public-ipv4":                 s.Instances()[0].PublicIP,
	} {
		out, err := c.GetMetadata(ctx, &imds.GetMetadataInput{Path: path})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		b, _ := io.ReadAll(out.Content)
		if string(b) != want {
			t.Errorf("%s = %q, want %q", path, b, want)
		}
	}
	doc, err := c.GetInstanceIdentityDocument(ctx, &imds.GetInstanceIdentityDocumentInput{})
	if err != nil || doc.InstanceID != id || doc.Region != "us-east-1" {
		t.Errorf("identity document: %+v, %v", doc, err)
	}
	log := s.MetadataLog(id)
	if len(log) == 0 || log[0].Method != http.MethodPut || log[0].Path != tokenPath || log[0].Status != 200 {
		t.Fatalf("the first request was not a token: %+v", log)
	}
	for _, r := range log[1:] {
		if !r.Token || r.Status != 200 {
			t.Errorf("request without a token or refused: %+v", r)
		}
	}
}

// The rules EC2 enforces, byte for byte at the HTTP level.
func TestMetadataRules(t *testing.T) {
	do := func(t *testing.T, md *httptest.Server, method, path string, header map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, md.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	t.Run("IMDSv2 required", func(t *testing.T) {
		_, _, md := launchForMetadata(t, types.HttpTokensStateRequired)
		if code, _ := do(t, md, "GET", "/latest/user-data", nil); code != 401 {
			t.Errorf("no token: %d, want 401", code)
		}
		if code, _ := do(t, md, "GET", "/latest/user-data", map[string]string{tokenHeader: "forged"}); code != 401 {
			t.Errorf("a forged token: %d, want 401", code)
		}
		for _, ttl := range []string{"", "0", "21601", "x"} {
			if code, _ := do(t, md, "PUT", tokenPath, map[string]string{tokenTTLHeader: ttl}); code != 400 {
				t.Errorf("token with TTL %q: %d, want 400", ttl, code)
			}
		}
		if code, _ := do(t, md, "PUT", tokenPath, map[string]string{tokenTTLHeader: "60", "X-Forwarded-For": "10.0.0.9"}); code != 403 {
			t.Errorf("a forwarded token request: %d, want 403", code)
		}
		if code, _ := do(t, md, "GET", tokenPath, map[string]string{tokenTTLHeader: "60"}); code != 405 {
			t.Errorf("GET of the token path: %d, want 405", code)
		}
		code, token := do(t, md, "PUT", tokenPath, map[string]string{tokenTTLHeader: "60"})
		if code != 200 || token == "" {
			t.Fatalf("token: %d %q", code, token)
		}
		if code, body := do(t, md, "GET", "/2019-10-01/user-data", map[string]string{tokenHeader: token}); code != 200 || !strings.Contains(body, "ignition") {
			t.Errorf("user-data with the token: %d %q", code, body)
		}
		if code, _ := do(t, md, "GET", "/latest/meta-data/no-such-key", map[string]string{tokenHeader: token}); code != 404 {
			t.Errorf("an unknown key: %d, want 404", code)
		}
		if code, body := do(t, md, "GET", "/latest/meta-data/", map[string]string{tokenHeader: token}); code != 200 || !strings.Contains(body, "instance-id\n") || !strings.Contains(body, "public-keys/\n") || !strings.Contains(body, "placement/") {
			t.Errorf("meta-data listing: %d %q", code, body)
		}
	})
	t.Run("IMDSv1 allowed", func(t *testing.T) {
		_, _, md := launchForMetadata(t, "")
		if code, body := do(t, md, "GET", "/latest/user-data", nil); code != 200 || !strings.Contains(body, "ignition") {
			t.Errorf("no token under optional: %d %q", code, body)
		}
		if code, _ := do(t, md, "GET", "/latest/user-data", map[string]string{tokenHeader: "forged"}); code != 401 {
			t.Errorf("a forged token is refused even so: %d, want 401", code)
		}
	})
}
