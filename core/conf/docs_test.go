package conf

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The documented examples of the formats strata takes, read from the
// docs their pinned Go modules ship (never copied into this repository):
// Ignition's and Butane's examples.md. Each is valid as documented, and
// rendering it with an SSH key changes nothing but the key's user.

// docExample is one example from a module's docs.
type docExample struct {
	where string // module file and block number
	kind  Kind
	data  string
}

var fencedBlock = regexp.MustCompile("(?s)```(json|yaml)\n(.*?)```")

// documentedExamples reads the examples of the pinned ignition and
// butane modules from the module cache; none (and why) where there is no
// module cache, as in a Bazel sandbox.
func documentedExamples(tb testing.TB) ([]docExample, string) {
	tb.Helper()
	var examples []docExample
	for _, m := range []struct {
		path  string
		files []string
	}{
		{"github.com/coreos/ignition/v2", []string{"docs/examples.md"}},
		{"github.com/coreos/butane", []string{"docs/examples.md", "docs/getting-started.md"}},
	} {
		// The pinned version's directory, as this module's go.mod has it.
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", m.path).Output()
		dir := strings.TrimSpace(string(out))
		if err != nil || dir == "" {
			return nil, "no go command, module or module cache here (as under Bazel) for " + m.path + ": the go test stage runs this"
		}
		for _, f := range m.files {
			b, err := os.ReadFile(filepath.Join(dir, f))
			if err != nil {
				return nil, "the module's docs are not there: " + err.Error()
			}
			for i, block := range fencedBlock.FindAllStringSubmatch(string(b), -1) {
				ex := docExample{where: filepath.Base(dir) + "/" + f + " block " + strconv.Itoa(i+1), data: block[2]}
				switch {
				case block[1] == "json" && strings.Contains(block[2], `"ignition"`):
					ex.kind = KindIgnition
				case block[1] == "yaml" && strings.Contains(block[2], "variant:"):
					ex.kind = KindButane
				default:
					continue
				}
				examples = append(examples, ex)
			}
		}
	}
	return examples, ""
}

func TestDocumentedExamples(t *testing.T) {
	examples, why := documentedExamples(t)
	if why != "" {
		t.Skip(why)
	}
	var ignition, butane, local int
	for _, ex := range examples {
		if ex.kind == KindButane && strings.Contains(ex.data, "local:") {
			local++ // needs the files beside it (butane --files-dir)
			continue
		}
		u, err := Detect(ex.where, []byte(ex.data))
		if err != nil {
			t.Errorf("%s: a documented example is refused: %v\n%s", ex.where, err, ex.data)
			continue
		}
		if u.Kind() != ex.kind {
			t.Errorf("%s: detected as %v, want %v", ex.where, u.Kind(), ex.kind)
			continue
		}
		plain, err := u.Render(RenderOptions{})
		if err != nil {
			t.Errorf("%s: %v", ex.where, err)
			continue
		}
		keyed, err := u.Render(RenderOptions{SSHKeys: []string{key1}})
		if err != nil {
			t.Errorf("%s: with a key: %v", ex.where, err)
			continue
		}
		if diff := ignitionDiffButKey(t, plain.Data, keyed.Data, "core", key1); diff != "" {
			t.Errorf("%s: %s\nwithout the key:\n%s\nwith it:\n%s", ex.where, diff, plain.Data, keyed.Data)
		}
		if ex.kind == KindIgnition {
			ignition++
		} else {
			butane++
		}
	}
	t.Logf("%d Ignition and %d Butane examples checked; %d Butane examples need local files and were left", ignition, butane, local)
	if ignition == 0 || butane == 0 {
		t.Errorf("no examples of a kind were found (%d Ignition, %d Butane): the docs' layout changed?", ignition, butane)
	}
}

// ignitionDiffButKey says how keyed differs from plain other than by key
// added to user's sshAuthorizedKeys ("" if it does not).
func ignitionDiffButKey(t *testing.T, plain, keyed []byte, user, key string) string {
	t.Helper()
	decode := func(b []byte) map[string]any {
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		return m
	}
	want, got := decode(plain), decode(keyed)
	passwd, _ := got["passwd"].(map[string]any)
	users, _ := passwd["users"].([]any)
	found := false
	for i, u := range users {
		m, _ := u.(map[string]any)
		if m["name"] != user {
			continue
		}
		keys, _ := m["sshAuthorizedKeys"].([]any)
		if len(keys) == 0 || keys[len(keys)-1] != key {
			return "the key is not the last of the user's keys"
		}
		found = true
		if keys = keys[:len(keys)-1]; len(keys) == 0 {
			delete(m, "sshAuthorizedKeys")
		} else {
			m["sshAuthorizedKeys"] = keys
		}
		if len(m) == 1 { // only the name: the user was added for the key
			users = append(users[:i], users[i+1:]...)
		}
		break
	}
	if !found {
		return "no user " + user + " with the key"
	}
	if len(users) == 0 {
		delete(passwd, "users")
	} else {
		passwd["users"] = users
	}
	if len(passwd) == 0 {
		if _, had := want["passwd"]; !had {
			delete(got, "passwd")
		}
	}
	if !reflect.DeepEqual(want, got) {
		return "more than the key changed"
	}
	return ""
}
