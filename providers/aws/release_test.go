package aws

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestResolveAMI(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/stable/amd64/ami_all.json":
			_, _ = w.Write([]byte(`{"amis": [{"name": "eu-west-1", "hvm": "ami-0aaaaaaaaaaaaaaa1"}, {"name": "us-east-1", "hvm": "ami-0bbbbbbbbbbbbbbb2"}]}`))
		case "/broken/amd64/ami_all.json":
			_, _ = w.Write([]byte(`<html>`))
		case "/odd/amd64/ami_all.json":
			_, _ = w.Write([]byte(`{"amis": [{"name": "us-east-1", "hvm": "latest"}]}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	tmpl := srv.URL + "/{channel}/{arch}/ami_all.json"
	for _, tc := range []struct {
		ami, region, want, wantErr string
	}{
		{ami: "ami-0123456789abcdef0", region: "us-east-1", want: "ami-0123456789abcdef0"},
		{ami: "stable", region: "us-east-1", want: "ami-0bbbbbbbbbbbbbbb2"},
		{ami: "stable", region: "ap-south-2", wantErr: "has no AMI for region ap-south-2"},
		{ami: "nosuch", region: "us-east-1", wantErr: "channel nosuch: fetch " + srv.URL + "/nosuch/amd64/ami_all.json: 404 Not Found"},
		{ami: "broken", region: "us-east-1", wantErr: ": not a release AMI list"},
		{ami: "odd", region: "us-east-1", wantErr: `lists "latest" for us-east-1, not an AMI ID`},
		{ami: "ami-xyz", region: "us-east-1", wantErr: "neither an AMI ID"},
	} {
		got, err := ResolveAMI(context.Background(), tc.ami, tc.region, tmpl, "")
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s in %s: %q, %v; want error %q", tc.ami, tc.region, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s in %s: %q, %v; want %q", tc.ami, tc.region, got, err, tc.want)
		}
	}
}
