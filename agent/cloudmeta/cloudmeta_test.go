package cloudmeta

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPlatformFromCmdline(t *testing.T) {
	for cmdline, want := range map[string]string{
		"console=ttyS0 root=PARTUUID=x rw ignition.platform.id=aws": "aws",
		"ignition.platform.id=gcp quiet":                            "gcp",
		"console=ttyS0":                                             "",
	} {
		if got := PlatformFromCmdline(cmdline); got != want {
			t.Errorf("%q: %q, want %q", cmdline, got, want)
		}
	}
	if _, err := ForPlatform("qemu", nil); !errors.Is(err, ErrNoSource) {
		t.Errorf("qemu: %v, want ErrNoSource", err)
	}
}

func TestInstallKeys(t *testing.T) {
	home := t.TempDir()
	uid, gid := os.Getuid(), os.Getgid()
	ssh := filepath.Join(home, ".ssh")
	if err := os.MkdirAll(ssh, 0o700); err != nil {
		t.Fatal(err)
	}
	// Ignition's key is there already, without a trailing newline.
	if err := os.WriteFile(filepath.Join(ssh, "authorized_keys"), []byte("ssh-ed25519 AAAAignition core@ignition"), 0o600); err != nil {
		t.Fatal(err)
	}
	n, err := InstallKeys(home, uid, gid, []string{"ssh-ed25519 AAAAignition from-ec2", "ssh-ed25519 AAAAflight strata-kola"})
	if err != nil || n != 1 {
		t.Fatalf("InstallKeys = %d, %v; want 1 (the other is there under another comment)", n, err)
	}
	n, err = InstallKeys(home, uid, gid, []string{"ssh-ed25519 AAAAflight strata-kola"})
	if err != nil || n != 0 {
		t.Fatalf("again: %d, %v; want 0", n, err)
	}
	b, _ := os.ReadFile(filepath.Join(ssh, "authorized_keys"))
	if string(b) != "ssh-ed25519 AAAAignition core@ignition\nssh-ed25519 AAAAflight strata-kola\n" {
		t.Errorf("authorized_keys:\n%s", b)
	}
	if fi, _ := os.Stat(filepath.Join(ssh, "authorized_keys")); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

// A metadata service that is not up yet is asked again; one that
// refuses is not.
func TestRetry(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			http.Error(w, "starting", http.StatusServiceUnavailable)
		default:
			if r.Method == http.MethodPut {
				w.Write([]byte("tok"))
				return
			}
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	src := &EC2{Endpoint: srv.URL, Client: srv.Client()}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Retry(ctx, 10*time.Millisecond, func(ctx context.Context) ([]string, error) { return src.SSHKeys(ctx, "core") })
	var perm *PermanentError
	if !errors.As(err, &perm) || !strings.Contains(err.Error(), "401 Unauthorized") || calls.Load() != 3 {
		t.Errorf("err = %v after %d calls; want the 401 after a retried 503", err, calls.Load())
	}
}

// Each source reads the keys from its cloud's documented answer; the
// simulators' own tests check they answer the same (providers/*/sim).
func TestSourcesReadKeys(t *testing.T) {
	const k1, k2 = "ssh-ed25519 AAAAone a", "ssh-rsa AAAAtwo b"
	for _, tc := range []struct {
		platform string
		answers  map[string]string // path → body; others are 404s
		want     []string
	}{
		{"openstack", map[string]string{"/openstack/latest/meta_data.json": `{"uuid":"u","public_keys":{"kb":"` + k2 + `\n","ka":"` + k1 + `"}}`}, []string{k1, k2}},
		{"openstack", map[string]string{"/openstack/latest/meta_data.json": `{"uuid":"u"}`}, nil},
		{"openstack", map[string]string{}, nil},
		{"digitalocean", map[string]string{"/metadata/v1/public-keys": k1 + "\n" + k2 + "\n"}, []string{k1, k2}},
		{"digitalocean", map[string]string{"/metadata/v1/public-keys": ""}, nil},
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, ok := tc.answers[r.URL.Path]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Write([]byte(body))
		}))
		src, err := ForPlatform(tc.platform, srv.Client())
		if err != nil {
			t.Fatal(err)
		}
		switch s := src.(type) {
		case *OpenStack:
			s.Endpoint = srv.URL
		case *DigitalOcean:
			s.Endpoint = srv.URL
		}
		got, err := src.SSHKeys(context.Background(), "core")
		srv.Close()
		if err != nil || strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s with %v: %q, %v; want %q", tc.platform, tc.answers, got, err, tc.want)
		}
	}
	// A meta_data.json that is not JSON is a refusal, not a retry.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }))
	defer srv.Close()
	_, err := (&OpenStack{Endpoint: srv.URL, Client: srv.Client()}).SSHKeys(context.Background(), "core")
	var perm *PermanentError
	if !errors.As(err, &perm) || !strings.Contains(err.Error(), "meta_data.json") {
		t.Errorf("bad meta_data.json: %v", err)
	}
}

// Azure: keys from IMDS (with its Metadata header), and the health
// report for the goal state's IDs, as the WireServer documents them.
func TestAzure(t *testing.T) {
	var report string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/metadata/instance/compute/publicKeys" && r.Header.Get("Metadata") == "true" && r.URL.Query().Get("api-version") != "":
			w.Write([]byte(`[{"keyData":"ssh-ed25519 AAAAk core","path":"/home/core/.ssh/authorized_keys"}]`))
		case r.URL.Path == "/machine/" && r.URL.Query().Get("comp") == "goalstate" && r.Header.Get("x-ms-version") != "":
			w.Write([]byte(`<?xml version="1.0" encoding="utf-8"?><GoalState><Version>2012-11-30</Version><Incarnation>3</Incarnation>` +
				`<Container><ContainerId>c-1</ContainerId><RoleInstanceList><RoleInstance><InstanceId>i&amp;1</InstanceId></RoleInstance></RoleInstanceList></Container></GoalState>`))
		case r.URL.Path == "/machine/" && r.URL.Query().Get("comp") == "health" && r.Method == "POST" && r.Header.Get("x-ms-version") != "":
			b, _ := io.ReadAll(r.Body)
			report = string(b)
		default:
			http.Error(w, "bad request", http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	a := &Azure{Endpoint: srv.URL, WireServer: srv.URL, Client: srv.Client()}
	keys, err := a.SSHKeys(context.Background(), "core")
	if err != nil || len(keys) != 1 || keys[0] != "ssh-ed25519 AAAAk core" {
		t.Errorf("keys %q, %v", keys, err)
	}
	if err := a.ReportReady(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<GoalStateIncarnation>3</GoalStateIncarnation>", "<ContainerId>c-1</ContainerId>", "<InstanceId>i&amp;1</InstanceId>", "<State>Ready</State>"} {
		if !strings.Contains(report, want) {
			t.Errorf("the health report lacks %s:\n%s", want, report)
		}
	}
	// A WireServer that refuses the report is a refusal, not a retry.
	a.WireServer = srv.URL + "/elsewhere"
	var perm *PermanentError
	if err := a.ReportReady(context.Background()); !errors.As(err, &perm) {
		t.Errorf("refused goal state: %v", err)
	}
}
