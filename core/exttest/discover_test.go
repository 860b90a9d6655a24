package exttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/conf"
)

// write makes files under dir; a name ending in "*" is executable.
func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		mode := os.FileMode(0o644)
		if n, ok := strings.CutSuffix(name, "*"); ok {
			name, mode = n, 0o755
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
}

// A tree in coreos-assembler's layout: names, data, configs, and
// metadata from kola.json and inline headers, the header's keys winning.
func TestDiscover(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fcos-config")
	write(t, dir, map[string]string{
		"tests/kola/basic/test*":      "#!/bin/bash\n## kola:\n##   platforms: qemu\n##   timeoutMin: 3\n##   additionalDisks: [\"5G\"]\n##   creationDate: 2026-11-20\nset -xeuo pipefail\n",
		"tests/kola/basic/kola.json":  `{"exclusive": false, "tags": "smoke net", "platforms": "aws"}`,
		"tests/kola/multi/a*":         "#!/bin/sh\ntrue\n",
		"tests/kola/multi/b*":         "#!/bin/sh\n## kola:\n##   exclusive: false\n##   description: b does things\ntrue\n",
		"tests/kola/multi/data/f":     "data",
		"tests/kola/multi/config.bu":  "variant: fcos\nversion: 1.5.0\n",
		"tests/kola/multi/README.md":  "not a test",
		"tests/kola/legacy/test*":     "#!/bin/bash\n# kola: {\"architectures\": \"!s390x ppc64le\", \"minMemory\": 4096}\n",
		"tests/kola/ign/reboot/test*": "#!/bin/bash\n",
		"tests/kola/ign/config.ign":   `{"ignition":{"version":"3.4.0"}}`,
	})
	tests, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Test{}
	for _, tt := range tests {
		got[tt.Name] = tt
	}
	if len(got) != 5 {
		t.Fatalf("tests %v", names(tests))
	}
	b := got["ext.fcos-config.basic"]
	if b.Meta.Platforms != "qemu" || b.Meta.Tags != "smoke net" || b.Meta.Exclusive || b.Meta.TimeoutMin != 3 ||
		len(b.Meta.AdditionalDisks) != 1 || b.Meta.Created.Format("2006-01-02") != "2026-11-20" {
		t.Errorf("basic (kola.json, the header over it): %+v", b.Meta)
	}
	a, bb := got["ext.fcos-config.multi.a"], got["ext.fcos-config.multi.b"]
	if !a.Meta.Exclusive || bb.Meta.Exclusive || bb.Meta.Description != "b does things" {
		t.Errorf("multi: a %+v, b %+v", a.Meta, bb.Meta)
	}
	if a.DataDir != filepath.Join(dir, "tests/kola/multi/data") || a.UserData == nil || a.UserData.Kind() != conf.KindButane {
		t.Errorf("multi.a data %q userdata %v", a.DataDir, a.UserData)
	}
	l := got["ext.fcos-config.legacy"]
	if items, exclude := Split(l.Meta.Architectures); !exclude || strings.Join(items, ",") != "s390x,ppc64le" || l.Meta.MinMemory != 4096 {
		t.Errorf("legacy: %+v", l.Meta)
	}
	if r, ok := got["ext.fcos-config.ign.reboot"]; !ok || r.UserData != nil {
		t.Errorf("ign.reboot: %+v (a config one directory up is not its)", r)
	}
}

func TestDiscoverErrors(t *testing.T) {
	for _, tc := range []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"tests/kola/x/test*": "#!/bin/sh\n## kola:\n##   platfroms: qemu\n"}, `tests/kola/x/test:3: unknown key "platfroms"`},
		{map[string]string{"tests/kola/x/test*": "#!/bin/sh\n## kola:\n##   injectContainer: true\n"}, `tests/kola/x/test:3: key "injectContainer" is not supported`},
		{map[string]string{"tests/kola/x/test*": "#!/bin/sh\n## kola:\n##   description: d\n##   timeoutMin: soon\n"}, `tests/kola/x/test:4: timeoutMin must be an integer, not "soon"`},
		{map[string]string{"tests/kola/x/test*": "#!/bin/sh\n", "tests/kola/x/kola.json": "{\n  \"exclusive\": \"no\"\n}"}, `tests/kola/x/kola.json:2: exclusive must be true or false, not "no"`},
		{map[string]string{"tests/kola/x/test*": "#!/bin/sh\n## kola:\n##   creationDate: yesterday\n"}, `creationDate "yesterday" is not a date`},
		{map[string]string{"tests/kola/x/test*": "#!/bin/sh\n## kola:\n##   minMemory: -1\n"}, `minMemory -1 must not be negative`},
		{map[string]string{"tests/kola/x/test*": "#!/bin/sh\n## kola:\n##   [a, b]\n"}, `metadata is a mapping`},
		{map[string]string{"tests/kola/x y/test*": "#!/bin/sh\n"}, `"x y" cannot be part of a test name`},
		{map[string]string{"tests/kola/x/config.fcc": "", "tests/kola/x/test*": ""}, `config.fcc: Fedora CoreOS Config is Butane now`},
		{map[string]string{"nothing": ""}, `no tests/kola in it`},
	} {
		dir := filepath.Join(t.TempDir(), "ext")
		write(t, dir, tc.files)
		_, err := Discover(dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v; want an error with %q", tc.files, err, tc.want)
		}
	}
}

func names(tests []Test) []string {
	var n []string
	for _, t := range tests {
		n = append(n, t.Name)
	}
	return n
}
