// Package conf handles the userdata that tests hand to machines: Ignition
// JSON (every 3.x spec that github.com/coreos/ignition/v2 parses), Butane
// YAML (translated to Ignition with github.com/coreos/butane), #cloud-config
// YAML and #! scripts. It validates each kind with errors that name the
// offending field, injects SSH public keys without changing the kind or
// spec version, and substitutes $public_ipv4/$private_ipv4.
package conf

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Kind is the format of a userdata.
type Kind int

const (
	KindEmpty Kind = iota
	KindIgnition
	KindButane
	KindCloudConfig
	KindScript
)

func (k Kind) String() string {
	switch k {
	case KindEmpty:
		return "empty"
	case KindIgnition:
		return "ignition"
	case KindButane:
		return "butane"
	case KindCloudConfig:
		return "cloud-config"
	case KindScript:
		return "script"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// UserData is a userdata of a known kind. The zero value and nil are empty.
// Constructors do not validate, so tests can declare userdata in composite
// literals; the register package calls Validate when a test registers.
type UserData struct {
	kind Kind
	data string
}

// Ignition returns Ignition JSON userdata.
func Ignition(data string) *UserData { return &UserData{kind: KindIgnition, data: data} }

// Butane returns Butane YAML userdata; it is sent as Ignition.
func Butane(data string) *UserData { return &UserData{kind: KindButane, data: data} }

// CloudConfig returns #cloud-config YAML userdata. The header line is
// added if missing.
func CloudConfig(data string) *UserData {
	if !strings.HasPrefix(data, cloudConfigHeader) && !strings.HasPrefix(data, jinjaHeader) {
		data = cloudConfigHeader + "\n" + data
	}
	return &UserData{kind: KindCloudConfig, data: data}
}

// Script returns a script userdata; it must start with "#!".
func Script(data string) *UserData { return &UserData{kind: KindScript, data: data} }

// Empty returns an empty userdata.
func Empty() *UserData { return &UserData{} }

const cloudConfigHeader = "#cloud-config"

// Detect returns userdata of the kind its content shows, validated. Name
// (usually a file name) prefixes error messages.
func Detect(name string, data []byte) (*UserData, error) {
	u, err := detectKind(name, data)
	if err != nil {
		return nil, err
	}
	if err := u.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return u, nil
}

func detectKind(name string, data []byte) (*UserData, error) {
	trimmed := bytes.TrimSpace(data)
	s := string(data)
	switch {
	case len(trimmed) == 0:
		return Empty(), nil
	case bytes.HasPrefix(trimmed, []byte("#cloud-config-archive")):
		return nil, &Error{Kind: KindEmpty, Source: name, Line: 1, Msg: "#cloud-config-archive (cloud-init's list of parts) is not supported: give a #cloud-config, a #! script, Ignition or Butane"}
	case bytes.HasPrefix(trimmed, []byte(cloudConfigHeader)), isJinjaCloudConfig(trimmed):
		return &UserData{kind: KindCloudConfig, data: s}, nil
	case bytes.HasPrefix(data, []byte("#!")):
		return &UserData{kind: KindScript, data: s}, nil
	case trimmed[0] == '{':
		return &UserData{kind: KindIgnition, data: s}, nil
	}
	var probe struct {
		Variant string `yaml:"variant"`
	}
	if yaml.Unmarshal(data, &probe) == nil && probe.Variant != "" {
		return &UserData{kind: KindButane, data: s}, nil
	}
	return nil, &Error{Kind: KindEmpty, Source: name, Msg: "unrecognized userdata: want Ignition JSON, Butane YAML (with variant and version), #cloud-config YAML, or a #! script"}
}

// isJinjaCloudConfig says whether data is a Jinja template of a
// #cloud-config, which cloud-init renders before reading it.
func isJinjaCloudConfig(data []byte) bool {
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	second, _, _ := bytes.Cut(rest, []byte("\n"))
	return string(bytes.TrimSpace(first)) == jinjaHeader && string(bytes.TrimSpace(second)) == cloudConfigHeader
}

// Kind reports the userdata's format.
func (u *UserData) Kind() Kind {
	if u == nil {
		return KindEmpty
	}
	return u.kind
}

// String returns the userdata as given.
func (u *UserData) String() string {
	if u == nil {
		return ""
	}
	return u.data
}

// IsEmpty reports whether there is nothing to send.
func (u *UserData) IsEmpty() bool { return u == nil || strings.TrimSpace(u.data) == "" }

// Validate checks the userdata against its kind's rules.
func (u *UserData) Validate() error {
	_, err := u.Render(RenderOptions{})
	return err
}

// RenderOptions say what to add to a userdata before it is sent.
type RenderOptions struct {
	// SSHKeys are authorized_keys lines to add.
	SSHKeys []string
	// User receives the keys; default "core" (Ignition, scripts), the
	// image's default user for cloud-config.
	User string
	// Vars substitute $name and ${name} in the userdata, e.g.
	// {"public_ipv4": "10.0.0.2", "private_ipv4": "192.168.0.2"}.
	Vars map[string]string
	// EmptyAs is the kind to create when the userdata is empty and keys are
	// to be added (Ignition or CloudConfig); with Empty, an empty userdata
	// stays empty and the keys must go through the platform's metadata.
	EmptyAs Kind
}

// Rendered is a userdata ready to send.
type Rendered struct {
	Kind Kind // Butane renders as Ignition
	Data []byte
}

// Render validates the userdata, substitutes variables and adds SSH keys.
func (u *UserData) Render(opts RenderOptions) (Rendered, error) {
	kind, data := u.Kind(), substitute(u.String(), opts.Vars)
	if kind == KindEmpty {
		if len(opts.SSHKeys) == 0 || opts.EmptyAs == KindEmpty {
			return Rendered{Kind: KindEmpty}, nil
		}
		switch opts.EmptyAs {
		case KindIgnition:
			kind, data = KindIgnition, `{"ignition":{"version":"3.0.0"}}`
		case KindCloudConfig:
			kind, data = KindCloudConfig, cloudConfigHeader+"\n"
		default:
			return Rendered{}, fmt.Errorf("render empty userdata as %s: only ignition or cloud-config can carry SSH keys", opts.EmptyAs)
		}
	}
	switch kind {
	case KindIgnition:
		out, err := renderIgnition([]byte(data), opts)
		return Rendered{Kind: KindIgnition, Data: out}, err
	case KindButane:
		ign, err := translateButane([]byte(data))
		if err != nil {
			return Rendered{}, err
		}
		out, err := renderIgnition(ign, opts)
		return Rendered{Kind: KindIgnition, Data: out}, err
	case KindCloudConfig:
		out, err := renderCloudConfig(data, opts)
		return Rendered{Kind: KindCloudConfig, Data: out}, err
	case KindScript:
		out, err := renderScript(data, opts)
		return Rendered{Kind: KindScript, Data: out}, err
	}
	return Rendered{}, fmt.Errorf("render userdata: unknown kind %v", kind)
}

// substitute replaces $name and ${name}; longer names first so that a var
// named "a" cannot eat "$ab".
func substitute(s string, vars map[string]string) string {
	if len(vars) == 0 {
		return s
	}
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	// Replacer tries pairs in argument order.
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	var pairs []string
	for _, k := range names {
		pairs = append(pairs, "${"+k+"}", vars[k], "$"+k, vars[k])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

func userOrDefault(u string) string {
	if u == "" {
		return "core"
	}
	return u
}
