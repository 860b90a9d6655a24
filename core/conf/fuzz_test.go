package conf

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Userdata of every kind, through Detect and Render with a key: no panic;
// an error names the source it came from; what renders is userdata of its
// kind again and holds the key. Seeds: a config of each kind, the cases
// of this package's tests, and the documented examples where the module
// cache is there.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		`{"ignition":{"version":"3.3.0"},"passwd":{"users":[{"name":"core","sshAuthorizedKeys":["ssh-ed25519 AAAA x"]}]}}`,
		"{\"ignition\": {\"version\": \"3.3.0\"},\n  \"passwd\": }\n",
		"variant: fcos\nversion: 1.5.0\nstorage:\n  files:\n    - path: /etc/x\n      contents:\n        inline: hi\n",
		"#cloud-config\n# c\nhostname: h\nusers:\n  - default\n  - name: a\n    ssh_authorized_keys: [k]\nwrite_files:\n  - path: /x\n    content: y\n",
		"#cloud-config\nusers: default, alice\nssh_authorized_keys:\n  - k\n",
		"## template: jinja\n#cloud-config\nruncmd:\n  - echo {{ v1.local_hostname }}\n",
		"#!/bin/sh\necho $public_ipv4\n",
		"#!/usr/bin/python3\nprint('x')\n",
		"",
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	if examples, why := documentedExamples(f); why == "" {
		for _, ex := range examples {
			f.Add([]byte(ex.data), false)
		}
	}
	const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFuzzFuzzFuzzFuzzFuzzFuzzFuzzFuzzFuzzFuzzFuzz fuzz"
	f.Fuzz(func(t *testing.T, data []byte, named bool) {
		u, err := Detect("fuzz.conf", data)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.conf") {
				t.Errorf("the error does not name the source: %v", err)
			}
			return
		}
		opts := RenderOptions{SSHKeys: []string{key}, EmptyAs: KindIgnition}
		if named {
			opts.User = "tester"
		}
		r, err := u.Render(opts)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) && !errors.Is(err, ErrKeysNotInjectable) {
				t.Errorf("a render error that is not a conf.Error: %v", err)
			}
			return
		}
		if !bytes.Contains(r.Data, []byte("AAAAC3NzaC1lZDI1NTE5AAAAIFuzz")) {
			t.Errorf("rendered %v without the key:\n%s", r.Kind, r.Data)
		}
		again, err := Detect("rendered", r.Data)
		if err != nil {
			t.Fatalf("rendered %v is not valid userdata: %v\n%s\nfrom:\n%q", r.Kind, err, r.Data, data)
		}
		if again.Kind() != r.Kind {
			t.Errorf("rendered %v reads back as %v", r.Kind, again.Kind())
		}
	})
}
