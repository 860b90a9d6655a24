package conf

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/coreos/ignition/v2/config/util"
	"gopkg.in/yaml.v3"
)

const key1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm8yV3uVZ6WbOLyN7rZ8p3qWeVkT4Vt0h9mBl7wQy1a kola@one"
const key2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq2Vt8rGzOh9yH9u2m6o3FvQ0xB8WbPz7cNlT1vE4Rf kola@two"

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Kind
		err  string
	}{
		{"", KindEmpty, ""},
		{"  \n", KindEmpty, ""},
		{`{"ignition":{"version":"3.4.0"}}`, KindIgnition, ""},
		{"#cloud-config\nhostname: a\n", KindCloudConfig, ""},
		{"#!/bin/sh\necho hi\n", KindScript, ""},
		{"variant: fcos\nversion: 1.4.0\n", KindButane, ""},
		{"hello: world\n", 0, "unrecognized userdata"},
		{`{"ignition":{"version":"3.4.0"`, 0, "ignition"},
	} {
		u, err := Detect("ud.txt", []byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "ud.txt") {
				t.Errorf("Detect(%q) err = %v, want one containing %q and the file name", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Detect(%q): %v", tc.in, err)
			continue
		}
		if u.Kind() != tc.want {
			t.Errorf("Detect(%q) kind %v, want %v", tc.in, u.Kind(), tc.want)
		}
	}
}

func TestIgnitionErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		name, in, field, msg string
	}{
		{"relative path", `{"ignition":{"version":"3.3.0"},"storage":{"files":[{"path":"etc/x"}]}}`, "$.storage.files.0.path", "absolute"},
		{"spec 2", `{"ignition":{"version":"2.3.0"}}`, "$.ignition.version", "spec 2.x"},
		{"unknown version", `{"ignition":{"version":"3.99.0"}}`, "$.ignition.version", "unsupported spec version"},
		{"no version", `{"ignition":{}}`, "$.ignition.version", "missing"},
		{"wrong type", `{"ignition":{"version":"3.4.0"},"passwd":{"users":"core"}}`, "", "cannot unmarshal"},
		{"bad json", "{\n\"ignition\": {\"version\": \"3.4.0\"},\n}", "", "invalid character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Ignition(tc.in).Validate()
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *conf.Error", err)
			}
			if tc.field != "" && ce.Field != tc.field {
				t.Errorf("field %q, want %q (%v)", ce.Field, tc.field, err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

func parseIgn(t *testing.T, data []byte) (version string, keys map[string][]string) {
	t.Helper()
	v, _, err := util.GetConfigVersion(data)
	if err != nil {
		t.Fatalf("rendered config: %v\n%s", err, data)
	}
	var cfg struct {
		Passwd struct {
			Users []struct {
				Name string
				Keys []string `json:"sshAuthorizedKeys"`
			}
		}
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	keys = map[string][]string{}
	for _, u := range cfg.Passwd.Users {
		keys[u.Name] = u.Keys
	}
	return v.String(), keys
}

// Keys go into every spec version without changing the version, and the
// result validates with that version's own parser.
func TestIgnitionKeysKeepVersion(t *testing.T) {
	for _, v := range IgnitionVersions() {
		t.Run(v, func(t *testing.T) {
			in := `{"ignition":{"version":"` + v + `"},"passwd":{"users":[{"name":"core","sshAuthorizedKeys":["` + key1 + `"]},{"name":"other"}]}}`
			r, err := Ignition(in).Render(RenderOptions{SSHKeys: []string{key1, key2}})
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != KindIgnition {
				t.Errorf("kind %v", r.Kind)
			}
			gotV, keys := parseIgn(t, r.Data)
			if gotV != v {
				t.Errorf("version %s, want %s", gotV, v)
			}
			if strings.Join(keys["core"], ",") != key1+","+key2 {
				t.Errorf("core keys %q, want key1,key2 once each", keys["core"])
			}
			if len(keys["other"]) != 0 {
				t.Errorf("other user got keys %q", keys["other"])
			}
			if err := validateIgnition(r.Data); err != nil {
				t.Errorf("rendered config invalid: %v", err)
			}
		})
	}
}

func TestIgnitionKeysNewUser(t *testing.T) {
	r, err := Ignition(`{"ignition":{"version":"3.2.0"}}`).Render(RenderOptions{SSHKeys: []string{key1}, User: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if _, keys := parseIgn(t, r.Data); strings.Join(keys["admin"], ",") != key1 {
		t.Errorf("keys %q", keys)
	}
}

func TestButane(t *testing.T) {
	in := `variant: fcos
version: 1.4.0
storage:
  files:
    - path: /etc/hello
      contents:
        inline: hi from $private_ipv4
`
	r, err := Butane(in).Render(RenderOptions{SSHKeys: []string{key1}, Vars: map[string]string{"private_ipv4": "10.1.2.3"}})
	if err != nil {
		t.Fatal(err)
	}
	v, keys := parseIgn(t, r.Data)
	if r.Kind != KindIgnition || v != "3.3.0" {
		t.Errorf("kind %v version %s, want ignition 3.3.0", r.Kind, v)
	}
	if len(keys["core"]) != 1 {
		t.Errorf("keys %q", keys)
	}
	if !strings.Contains(string(r.Data), "10.1.2.3") {
		t.Errorf("substitution missing: %s", r.Data)
	}

	bad := "variant: fcos\nversion: 1.4.0\nstorage:\n  files:\n    - path: etc/hello\n"
	err = Butane(bad).Validate()
	var ce *Error
	if !errors.As(err, &ce) || ce.Kind != KindButane || !strings.Contains(ce.Field, "path") || ce.Line != 5 {
		t.Errorf("bad butane: %#v (%v), want a butane error on path at line 5", ce, err)
	}
	if err := Butane("variant: nosuch\nversion: 1.0.0\n").Validate(); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("unknown variant: %v", err)
	}
}

func TestCloudConfig(t *testing.T) {
	in := "#cloud-config\n# keep me\nhostname: box\nssh_authorized_keys:\n  - " + key1 + "\nruncmd:\n  - echo $public_ipv4 > /tmp/ip\n"
	r, err := CloudConfig(in).Render(RenderOptions{SSHKeys: []string{key1, key2}, Vars: map[string]string{"public_ipv4": "192.0.2.7"}})
	if err != nil {
		t.Fatal(err)
	}
	out := string(r.Data)
	if !strings.HasPrefix(out, "#cloud-config\n") || strings.Count(out, "#cloud-config") != 1 {
		t.Errorf("header wrong:\n%s", out)
	}
	var cfg struct {
		Hostname string
		Keys     []string `yaml:"ssh_authorized_keys"`
		Runcmd   []string
	}
	if err := yaml.Unmarshal(r.Data, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Hostname != "box" || strings.Join(cfg.Keys, ",") != key1+","+key2 || cfg.Runcmd[0] != "echo 192.0.2.7 > /tmp/ip" {
		t.Errorf("rendered %+v", cfg)
	}
	if !strings.Contains(out, "# keep me") {
		t.Errorf("comment lost:\n%s", out)
	}

	// A named user gets the keys in users, and the default user stays.
	r, err = CloudConfig("#cloud-config\n").Render(RenderOptions{SSHKeys: []string{key1}, User: "tester"})
	if err != nil {
		t.Fatal(err)
	}
	var withUsers struct {
		Users []any
	}
	if err := yaml.Unmarshal(r.Data, &withUsers); err != nil || len(withUsers.Users) != 2 || withUsers.Users[0] != "default" {
		t.Errorf("users %v (%v):\n%s", withUsers.Users, err, r.Data)
	}
}

func TestCloudConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		in, field string
		line      int
	}{
		{"#cloud-config\nwrite_files:\n  - content: x\n", "write_files[0].path", 3},
		{"#cloud-config\nwrite_files:\n  - path: /ok\n  - path: rel\n", "write_files[1].path", 4},
		{"#cloud-config\nssh_authorized_keys: notalist\n", "ssh_authorized_keys", 2},
		{"#cloud-config\nruncmd: {a: b}\n", "runcmd", 2},
		{"#cloud-config\nusers:\n  - groups: x\n", "users[0].name", 3},
		{"#cloud-config\n- a\n", "", 2},
		{"#cloud-config\na: [\n", "", 2},
	} {
		err := CloudConfig(tc.in).Validate()
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%q: err %v, want *conf.Error", tc.in, err)
			continue
		}
		if ce.Field != tc.field {
			t.Errorf("%q: field %q, want %q", tc.in, ce.Field, tc.field)
		}
		if ce.Line != tc.line {
			t.Errorf("%q: %v, want line %d", tc.in, err, tc.line)
		}
	}
}

func TestScript(t *testing.T) {
	in := "#!/usr/bin/env bash\nset -e\necho $private_ipv4\n"
	r, err := Script(in).Render(RenderOptions{SSHKeys: []string{key1, key2}, Vars: map[string]string{"private_ipv4": "10.0.0.9"}})
	if err != nil {
		t.Fatal(err)
	}
	out := string(r.Data)
	if !strings.HasPrefix(out, "#!/usr/bin/env bash\n") || !strings.Contains(out, key1+"\n"+key2+"\n") || !strings.HasSuffix(out, "set -e\necho 10.0.0.9\n") {
		t.Errorf("rendered:\n%s", out)
	}
	if sh, err := exec.LookPath("sh"); err == nil {
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = strings.NewReader(out)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sh -n rejects the rendered script: %v %s", err, b)
		}
	}
	if _, err := Script("#!/usr/bin/python3\nprint(1)\n").Render(RenderOptions{SSHKeys: []string{key1}}); !errors.Is(err, ErrKeysNotInjectable) {
		t.Errorf("python: %v, want ErrKeysNotInjectable", err)
	}
	if _, err := Script("#!/usr/bin/python3\nprint(1)\n").Render(RenderOptions{}); err != nil {
		t.Errorf("python without keys: %v", err)
	}
	if err := Script("echo no shebang\n").Validate(); err == nil || !strings.Contains(err.Error(), "#!") {
		t.Errorf("no shebang: %v", err)
	}
	if got := interpreter("#!/bin/busybox sh"); got != "sh" {
		t.Errorf("busybox interpreter %q", got)
	}
}

func TestEmpty(t *testing.T) {
	var nilUD *UserData
	r, err := nilUD.Render(RenderOptions{SSHKeys: []string{key1}})
	if err != nil || r.Kind != KindEmpty || len(r.Data) != 0 {
		t.Errorf("empty without EmptyAs: %v %v %q", err, r.Kind, r.Data)
	}
	r, err = Empty().Render(RenderOptions{SSHKeys: []string{key1}, EmptyAs: KindIgnition})
	if err != nil {
		t.Fatal(err)
	}
	if _, keys := parseIgn(t, r.Data); len(keys["core"]) != 1 {
		t.Errorf("keys %v", keys)
	}
	r, err = Empty().Render(RenderOptions{SSHKeys: []string{key1}, EmptyAs: KindCloudConfig})
	if err != nil || !strings.Contains(string(r.Data), key1) {
		t.Errorf("empty as cloud-config: %v %s", err, r.Data)
	}
}

func TestSubstituteLongestName(t *testing.T) {
	got := substitute("$a $ab ${a}b", map[string]string{"a": "1", "ab": "2"})
	if got != "1 2 1b" {
		t.Errorf("got %q", got)
	}
}

// A config that is not JSON is reported where it goes wrong, not blamed on
// a field the parser never reached.
func TestIgnitionSyntaxErrorsNameLineAndColumn(t *testing.T) {
	for _, tc := range []struct {
		in   string
		line int
		msg  string
	}{
		{"{\"ignition\": {\"version\": \"3.3.0\"},\n  \"passwd\": }\n", 2, "column 13: not valid JSON"},
		{"{\"ignition\": {\"version\": \"3.3.0\"}\n", 2, "ends early"},
		{"{\"ignition\": {\"version\": \"3.3.0\"}}\n{}\n", 2, "more after the config's closing brace"},
		{"[1, 2]", 1, "not a JSON object"},
	} {
		err := Ignition(tc.in).Validate()
		var ce *Error
		if !errors.As(err, &ce) || ce.Field != "" || ce.Line != tc.line || !strings.Contains(ce.Msg, tc.msg) {
			t.Errorf("%q: %v (field %q), want line %d saying %q", tc.in, err, fieldOf(ce), tc.line, tc.msg)
		}
	}
}

func fieldOf(e *Error) string {
	if e == nil {
		return ""
	}
	return e.Field
}

// Keys are appended to a cloud-config's text, which otherwise stays as
// it was to the byte (comments, blank lines, quoting); a key whose
// comment holds " #" is quoted so YAML keeps all of it.
func TestCloudConfigKeptAsWritten(t *testing.T) {
	in := "#cloud-config\n# head comment\n\n# second block\nhostname: 'h'   # inline\n\nruncmd:\n  # in list\n  - [ echo, a ]\n# final comment"
	odd := "ssh-ed25519 AAAA me #laptop"
	r, err := CloudConfig(in).Render(RenderOptions{SSHKeys: []string{key1, odd, key1}})
	if err != nil {
		t.Fatal(err)
	}
	want := in + "\nssh_authorized_keys:\n  - " + key1 + "\n  - '" + odd + "'\n"
	if string(r.Data) != want {
		t.Errorf("rendered:\n%s\nwant:\n%s", r.Data, want)
	}
	var cfg struct {
		Keys []string `yaml:"ssh_authorized_keys"`
	}
	if err := yaml.Unmarshal(r.Data, &cfg); err != nil || len(cfg.Keys) != 2 || cfg.Keys[1] != odd {
		t.Errorf("keys as cloud-init reads them: %q, %v", cfg.Keys, err)
	}
	// Where the key field is there already, the document is edited, its
	// head comment and the rest kept.
	in = "#cloud-config\n# head comment\n\nssh_authorized_keys:\n  - " + key1 + "\n"
	r, err = CloudConfig(in).Render(RenderOptions{SSHKeys: []string{key2}})
	if err != nil || !strings.Contains(string(r.Data), "# head comment") || !strings.Contains(string(r.Data), key2) {
		t.Errorf("edited: %v\n%s", err, r.Data)
	}
}

// cloud-init's users forms are accepted; keys for the default user are
// refused when users makes no default user, naming the field and line.
func TestCloudConfigUsers(t *testing.T) {
	for _, in := range []string{
		"#cloud-config\nusers:\n  - default\n  - snapuser: joe@example.com\n  - [alice, bob]\n",
		"#cloud-config\nusers: default, alice\n",
		"#cloud-config\nusers:\n  default: {}\n",
	} {
		if r, err := CloudConfig(in).Render(RenderOptions{SSHKeys: []string{key1}}); err != nil || !strings.Contains(string(r.Data), key1) {
			t.Errorf("%q: %v\n%s", in, err, r.Data)
		}
	}
	in := "#cloud-config\nhostname: h\nusers:\n  - name: alice\n"
	_, err := CloudConfig(in).Render(RenderOptions{SSHKeys: []string{key1}})
	var ce *Error
	if !errors.As(err, &ce) || ce.Field != "users" || ce.Line != 3 || !strings.Contains(ce.Msg, `no "default" entry`) {
		t.Errorf("keys for a default user the config does not make: %v", err)
	}
	// The same config takes keys for a user it names.
	if r, err := CloudConfig(in).Render(RenderOptions{SSHKeys: []string{key1}, User: "alice"}); err != nil || !strings.Contains(string(r.Data), key1) {
		t.Errorf("keys for alice: %v\n%s", err, r.Data)
	}
	if err := CloudConfig("#cloud-config\nusers:\n  - groups: x\n").Validate(); err == nil || !strings.Contains(err.Error(), "users[0].name") {
		t.Errorf("a user object without name or snapuser: %v", err)
	}
}

// A Jinja template of a cloud-config is one (cloud-init renders it
// first): detected, left unparsed, and given keys at its end.
func TestCloudConfigJinja(t *testing.T) {
	in := "## template: jinja\n#cloud-config\nruncmd:\n  - echo {{ v1.local_hostname }}\n"
	u, err := Detect("jinja", []byte(in))
	if err != nil || u.Kind() != KindCloudConfig {
		t.Fatalf("detect: %v, %v", u.Kind(), err)
	}
	r, err := u.Render(RenderOptions{SSHKeys: []string{key1}})
	if err != nil || string(r.Data) != in+"ssh_authorized_keys:\n  - "+key1+"\n" {
		t.Errorf("render: %v\n%s", err, r.Data)
	}
	if _, err := Detect("jinja", []byte("## template: jinja\nruncmd: []\n")); err == nil {
		t.Error("a Jinja header without #cloud-config was taken")
	}
}

// cloud-init's list of parts is not a cloud-config, though its header
// starts like one: it is refused by name, not misread.
func TestCloudConfigArchiveRefused(t *testing.T) {
	_, err := Detect("parts.txt", []byte("#cloud-config-archive\n- type: text/cloud-config\n  content: |\n    hostname: h\n"))
	if err == nil || !strings.Contains(err.Error(), "parts.txt") || !strings.Contains(err.Error(), "#cloud-config-archive") {
		t.Errorf("a cloud-config-archive: %v", err)
	}
}
