package sim

import (
	"net/http"
	"testing"

	"github.com/strata-os/strata/core/cloud/simfuzz"
)

// FuzzRequest: any request to the DigitalOcean API, with a valid token.
func FuzzRequest(f *testing.F) {
	for _, s := range []struct {
		m          uint8
		path, body string
	}{
		{1, "/v2/droplets", `{"name":"a","region":"sfo3","size":"s-1vcpu-2gb","image":"ubuntu-24-04-x64","tags":["strata"],"user_data":"#!/bin/sh\n"}`},
		{0, "/v2/droplets?tag_name=strata&page=2&per_page=200", ""},
		{4, "/v2/droplets?tag_name=strata", ""},
		{1, "/v2/tags", `{"name":"t"}`},
		{1, "/v2/tags/t/resources", `{"resources":[{"resource_id":"1","resource_type":"droplet"}]}`},
		{1, "/v2/images", `{"name":"i","url":"http://x/y.qcow2","region":"sfo3","distribution":"Unknown","tags":["strata"]}`},
		{1, "/v2/droplets/1/actions", `{"type":"power_off"}`},
		{1, "/v2/account/keys", `{"name":"k","public_key":"ssh-ed25519 AAAA k"}`},
		{1, "/v2/volumes/1/snapshots", `{"name":"s"}`},
	} {
		f.Add(s.m, s.path, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, m uint8, path string, body []byte) {
		s := New(Options{})
		s.AddToken("fuzz-token")
		simfuzz.Serve(t, s, simfuzz.Method(m), path, body, http.Header{"Authorization": {"Bearer fuzz-token"}})
	})
}
