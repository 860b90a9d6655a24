package sim

import (
	"net/http"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cloud/simfuzz"
)

// FuzzRequest: any request to the Metal API, with a valid token; PROJECT
// in the path is the simulated project's ID.
func FuzzRequest(f *testing.F) {
	for _, s := range []struct {
		m          uint8
		path, body string
	}{
		{1, "/projects/PROJECT/devices", `{"hostname":"a","plan":"c3.small.x86","metro":"sv","operating_system":"custom_ipxe","ipxe_script_url":"http://x/b.ipxe","tags":["strata"],"userdata":"#!/bin/sh\n"}`},
		{0, "/projects/PROJECT/devices?tag=strata&page=2&per_page=100", ""},
		{2, "/devices/00000000-0000-4000-8000-000000000000", `{"tags":["a"]}`},
		{1, "/projects/PROJECT/ssh-keys", `{"label":"k","key":"ssh-ed25519 AAAA k"}`},
		{4, "/devices/x", `{"force_delete":true}`},
		{0, "/projects/PROJECT", ""},
	} {
		f.Add(s.m, s.path, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, m uint8, path string, body []byte) {
		s := New(Options{})
		project := s.AddProject("fuzz")
		s.AddToken("fuzz-token")
		simfuzz.Serve(t, s, simfuzz.Method(m), Prefix+strings.ReplaceAll(path, "PROJECT", project), body, http.Header{"X-Auth-Token": {"fuzz-token"}})
	})
}
