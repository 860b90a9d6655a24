package sim

import (
	"testing"

	"github.com/strata-os/strata/core/cloud/simfuzz"
)

// FuzzRequest: any request to Compute Engine or Cloud Storage.
func FuzzRequest(f *testing.F) {
	const zone, global = "/compute/v1/projects/strata-sim/zones/us-central1-a", "/compute/v1/projects/strata-sim/global"
	for _, s := range []struct {
		m          uint8
		path, body string
	}{
		{1, zone + "/instances?requestId=0b6e8e1c-4a8e-4c33-9d1e-2f6f4d5b7a10", `{"name":"a","machineType":"zones/us-central1-a/machineTypes/e2-small","labels":{"strata":"1"},"disks":[{"boot":true,"autoDelete":true,"initializeParams":{"sourceImage":"projects/p/global/images/i"}}],"networkInterfaces":[{"network":"global/networks/default","accessConfigs":[{"type":"ONE_TO_ONE_NAT"}]}],"metadata":{"items":[{"key":"user-data","value":"#!/bin/sh\n"}]}}`},
		{0, zone + "/instances?filter=labels.strata%3D1&maxResults=500&pageToken=x", ""},
		{1, zone + "/instances/a/setLabels", `{"labels":{"a":"b"},"labelFingerprint":"x"}`},
		{1, global + "/images", `{"name":"i","family":"f","rawDisk":{"source":"https://storage.googleapis.com/b/o.tar.gz"},"labels":{"a":"b"}}`},
		{1, global + "/images/i/deprecate", `{"state":"DEPRECATED","replacement":"x"}`},
		{1, global + "/images/i/setIamPolicy", `{"policy":{"bindings":[{"role":"roles/compute.imageUser","members":["allAuthenticatedUsers"]}],"etag":"x"}}`},
		{1, "/upload/storage/v1/b/b/o?uploadType=resumable&name=o", `{"name":"o","metadata":{"a":"b"}}`},
		{0, "/storage/v1/b/b/o?prefix=p&pageToken=x", ""},
		{1, "/token", "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=x"},
	} {
		f.Add(s.m, s.path, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, m uint8, path string, body []byte) {
		s := New(Options{})
		s.AddBucket("b")
		simfuzz.Serve(t, s, simfuzz.Method(m), path, body, nil)
	})
}
