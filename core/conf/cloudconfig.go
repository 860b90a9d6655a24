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
	"users":               yaml.SequenceNode,
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

// parseCloudConfig returns the top-level mapping of a #cloud-config, with
// the header line removed so that encoding puts it back exactly once.
func parseCloudConfig(data string) (*yaml.Node, error) {
	first, rest, _ := strings.Cut(data, "\n")
	if strings.TrimSpace(first) != cloudConfigHeader {
		return nil, &Error{Kind: KindCloudConfig, Line: 1, Msg: "first line must be exactly #cloud-config"}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(rest), &doc); err != nil {
		msg, line := shiftYAMLLines(err.Error())
		return nil, &Error{Kind: KindCloudConfig, Line: line, Msg: msg}
	}
	if doc.Kind == 0 { // only the header
		return &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}, nil
	}
	top := doc.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &Error{Kind: KindCloudConfig, Line: top.Line + 1, Msg: "top level must be a mapping of modules"}
	}
	if err := checkCloudConfig(top); err != nil {
		return nil, err
	}
	return top, nil
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
			for j, item := range val.Content {
				if item.Kind == yaml.MappingNode {
					if n := mapValue(item, "name"); n == nil || n.Value == "" {
						return &Error{Kind: KindCloudConfig, Field: fmt.Sprintf("users[%d].name", j), Line: item.Line + 1, Msg: "is required"}
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
// that user's entry in users.
func renderCloudConfig(data string, opts RenderOptions) ([]byte, error) {
	top, err := parseCloudConfig(data)
	if err != nil {
		return nil, err
	}
	if len(opts.SSHKeys) == 0 {
		return []byte(data), nil
	}
	target := top
	keyField := "ssh_authorized_keys"
	if opts.User != "" {
		target = cloudConfigUser(top, opts.User)
	}
	seq := mapValue(target, keyField)
	if seq == nil || seq.Kind != yaml.SequenceNode {
		seq = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		setMapValue(target, keyField, seq)
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
	buf.WriteString(cloudConfigHeader + "\n")
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(top); err != nil {
		return nil, fmt.Errorf("encode cloud-config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode cloud-config: %w", err)
	}
	return buf.Bytes(), nil
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
