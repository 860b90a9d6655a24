package simmeta

import "testing"

func TestLookup(t *testing.T) {
	tree := Tree{
		"v1/id":                  "42",
		"v1/keys":                "0=k",
		"v1/keys/0/openssh-key":  "ssh-ed25519 AAAA",
		"v1/interfaces/public/0": "x",
	}
	for _, tc := range []struct {
		path     string
		dirSlash bool
		want     string
		ok       bool
	}{
		{"/v1/id", true, "42", true},
		{"v1/id/", true, "42", true},
		// A leaf that is also a directory answers as the leaf (EC2's
		// public-keys lists INDEX=NAME).
		{"v1/keys", true, "0=k", true},
		{"v1/keys/0/", true, "openssh-key", true},
		{"v1/", true, "id\ninterfaces/\nkeys/", true},
		{"v1", false, "id\ninterfaces\nkeys", true},
		{"/", true, "v1/", true},
		{"v1/nothing", true, "", false},
		{"v1/i", true, "", false}, // a prefix of a name is not a directory
	} {
		got, ok := tree.Lookup(tc.path, tc.dirSlash)
		if got != tc.want || ok != tc.ok {
			t.Errorf("Lookup(%q, %v) = %q, %v; want %q, %v", tc.path, tc.dirSlash, got, ok, tc.want, tc.ok)
		}
	}
}
