package conf

import (
	"bytes"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// cloudConfigFields gives the node kind of the cloud-init modules whose
// shape we check; other keys pass through, since cloud-init has many.
var cloudConfigFields = map[string]yaml.Kind{
	"ssh_authorized_keys": yaml.SequenceNode,
	"write_files":         yaml.SequenceNode,
	"runcmd":              yaml.SequenceNode,
	"bootcmd":             yaml.SequenceNode,
	"packages":            yaml.SequenceNode,
	"hostname":            yaml.ScalarNode,
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		return "a scalar"
	}
	return "empty"
}

// jinjaHeader, as a cloud-config's first line, has cloud-init render the
// rest as a Jinja template before it reads the YAML.
const jinjaHeader = "## template: jinja"

// cloudConfig is a #cloud-config as given: its header line(s), and its
// YAML document (nil for a Jinja template, which is YAML only once
// cloud-init has rendered it).
type cloudConfig struct {
	header, body string // body: what follows the header lines
	headerLines  int
	doc, top     *yaml.Node
}

// parseCloudConfig reads a #cloud-config (or a Jinja template of one)
// and checks the shape of the modules we know.
func parseCloudConfig(data string) (*cloudConfig, error) {
	first, rest, _ := strings.Cut(data, "\n")
	cc := &cloudConfig{header: first + "\n", body: rest, headerLines: 1}
	if strings.TrimSpace(first) == jinjaHeader {
		second, body, _ := strings.Cut(rest, "\n")
		if strings.TrimSpace(second) != cloudConfigHeader {
			return nil, &Error{Kind: KindCloudConfig, Line: 2, Msg: "after " + jinjaHeader + ", the second line must be exactly #cloud-config"}
		}
		cc.header, cc.body, cc.headerLines = first+"\n"+second+"\n", body, 2
		return cc, nil // YAML only after cloud-init renders it
	}
	if strings.TrimSpace(first) != cloudConfigHeader {
		return nil, &Error{Kind: KindCloudConfig, Line: 1, Msg: "first line must be exactly #cloud-config"}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(rest), &doc); err != nil {
		msg, line := shiftYAMLLines(err.Error())
		return nil, &Error{Kind: KindCloudConfig, Line: line, Msg: msg}
	}
	if doc.Kind == 0 { // only the header (and comments)
		cc.doc = &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{{Kind: yaml.MappingNode, Tag: "!!map"}}}
		cc.top = cc.doc.Content[0]
		return cc, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &Error{Kind: KindCloudConfig, Line: top.Line + 1, Msg: "top level must be a mapping of modules"}
	}
	if err := checkCloudConfig(top); err != nil {
		return nil, err
	}
	cc.doc, cc.top = &doc, top
	return cc, nil
}

// shiftYAMLLines corrects yaml's "line N" for the header we cut off and
// returns the corrected line.
func shiftYAMLLines(msg string) (string, int) {
	var n int
	if i := strings.Index(msg, "line "); i >= 0 {
		if _, err := fmt.Sscanf(msg[i:], "line %d", &n); err == nil {
			return strings.Replace(msg, fmt.Sprintf("line %d", n), fmt.Sprintf("line %d", n+1), 1), n + 1
		}
	}
	return msg, 0
}

func checkCloudConfig(top *yaml.Node) error {
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i], top.Content[i+1]
		want, known := cloudConfigFields[key.Value]
		if key.Value == "users" { // a list, a "a, b" string, or (old) a mapping
			want, known = val.Kind, true
		}
		if !known {
			continue
		}
		if val.Kind != want && !(val.Tag == "!!null") {
			return &Error{Kind: KindCloudConfig, Field: key.Value, Line: val.Line + 1, Msg: "must be " + kindName(want) + ", not " + kindName(val.Kind)}
		}
		switch key.Value {
		case "ssh_authorized_keys":
			for j, item := range val.Content {
				if item.Kind != yaml.ScalarNode {
					return &Error{Kind: KindCloudConfig, Field: fmt.Sprintf("ssh_authorized_keys[%d]", j), Line: item.Line + 1, Msg: "must be a key string"}
				}
			}
		case "write_files":
			for j, item := range val.Content {
				field := fmt.Sprintf("write_files[%d]", j)
				if item.Kind != yaml.MappingNode {
					return &Error{Kind: KindCloudConfig, Field: field, Line: item.Line + 1, Msg: "must be a mapping with path and content"}
				}
				path := mapValue(item, "path")
				if path == nil || path.Value == "" {
					return &Error{Kind: KindCloudConfig, Field: field + ".path", Line: item.Line + 1, Msg: "is required"}
				}
				if !strings.HasPrefix(path.Value, "/") {
					return &Error{Kind: KindCloudConfig, Field: field + ".path", Line: path.Line + 1, Msg: fmt.Sprintf("%q is not absolute", path.Value)}
				}
			}
		case "users":
			// cloud-init's schema: a list of names, lists of names and
			// user objects (which name the user, or are a snap user).
			for j, item := range val.Content {
				if val.Kind == yaml.SequenceNode && item.Kind == yaml.MappingNode && mapValue(item, "snapuser") == nil {
					if n := mapValue(item, "name"); n == nil || n.Value == "" {
						return &Error{Kind: KindCloudConfig, Field: fmt.Sprintf("users[%d].name", j), Line: item.Line + 1, Msg: "is required (or snapuser)"}
					}
				}
			}
		}
	}
	return nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// renderCloudConfig adds keys to the top-level ssh_authorized_keys, which
// cloud-init gives to the image's default user; a named user's keys go to
// that user's entry in users. A key field (or users) that is not there
// yet is appended to the text, which stays as it was to the byte; one
// that is there is edited in the YAML document, comments kept.
func renderCloudConfig(data string, opts RenderOptions) ([]byte, error) {
	cc, err := parseCloudConfig(data)
	if err != nil {
		return nil, err
	}
	if len(opts.SSHKeys) == 0 {
		return []byte(data), nil
	}
	if opts.User == "" && cc.top != nil && !hasDefaultUser(mapValue(cc.top, "users")) {
		return nil, &Error{Kind: KindCloudConfig, Field: "users", Line: mapKeyLine(cc.top, "users") + cc.headerLines,
			Msg: "has no \"default\" entry, so cloud-init makes no default user for the SSH keys to go to: add \"- default\" to users"}
	}
	var appended string
	switch {
	case opts.User == "" && (cc.top == nil || mapValue(cc.top, "ssh_authorized_keys") == nil):
		appended = "ssh_authorized_keys:\n" + yamlItems(opts.SSHKeys, "  ")
	case opts.User != "" && (cc.top == nil || mapValue(cc.top, "users") == nil):
		appended = "users:\n  - default\n  - name: " + yamlScalar(opts.User) + "\n    ssh_authorized_keys:\n" + yamlItems(opts.SSHKeys, "      ")
	case cc.top == nil:
		return nil, &Error{Kind: KindCloudConfig, Field: "users", Msg: "a Jinja template's users cannot be edited before cloud-init renders it: give the keys through the platform's metadata"}
	}
	if appended != "" {
		if data != "" && !strings.HasSuffix(data, "\n") {
			data += "\n"
		}
		return []byte(data + appended), nil
	}
	target := cc.top
	if opts.User != "" {
		target = cloudConfigUser(cc.top, opts.User)
	}
	seq := mapValue(target, "ssh_authorized_keys")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		setMapValue(target, "ssh_authorized_keys", seq)
	}
	have := map[string]bool{}
	for _, n := range seq.Content {
		have[n.Value] = true
	}
	for _, k := range opts.SSHKeys {
		if !have[k] {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: k})
			have[k] = true
		}
	}
	var buf bytes.Buffer
	buf.WriteString(cc.header)
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(cc.doc); err != nil {
		return nil, fmt.Errorf("encode cloud-config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode cloud-config: %w", err)
	}
	return buf.Bytes(), nil
}

// hasDefaultUser says whether cloud-init makes the image's default user
// with users as given: no users at all, or one that names "default".
func hasDefaultUser(users *yaml.Node) bool {
	if users == nil || users.Tag == "!!null" {
		return true
	}
	switch users.Kind {
	case yaml.ScalarNode: // "default, foo"
		for _, name := range strings.Split(users.Value, ",") {
			if strings.TrimSpace(name) == "default" {
				return true
			}
		}
	case yaml.SequenceNode:
		for _, u := range users.Content {
			if u.Kind == yaml.ScalarNode && u.Value == "default" {
				return true
			}
		}
	case yaml.MappingNode: // the old form: name → user
		return mapValue(users, "default") != nil
	}
	return false
}

// mapKeyLine is the line (in the YAML body) of a mapping's key, or 0.
func mapKeyLine(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}

// yamlScalar is s as a YAML scalar, quoted only if it must be (a key
// with " #" in its comment would otherwise lose the rest as a comment).
func yamlScalar(s string) string {
	b, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSuffix(string(b), "\n")
}

func yamlItems(items []string, indent string) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it] {
			seen[it] = true
			b.WriteString(indent + "- " + yamlScalar(it) + "\n")
		}
	}
	return b.String()
}

// cloudConfigUser finds or adds the users entry named name. A new users
// list starts with "default" so that the image's default user survives.
func cloudConfigUser(top *yaml.Node, name string) *yaml.Node {
	users := mapValue(top, "users")
	if users == nil || users.Kind != yaml.SequenceNode {
		users = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Tag: "!!str", Value: "default"},
		}}
		setMapValue(top, "users", users)
	}
	for _, u := range users.Content {
		if u.Kind == yaml.MappingNode {
			if n := mapValue(u, "name"); n != nil && n.Value == name {
				return u
			}
		}
	}
	u := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	setMapValue(u, "name", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name})
	users.Content = append(users.Content, u)
	return u
}

func setMapValue(m *yaml.Node, key string, val *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = val
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, val)
}
