package conf

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	ignerrors "github.com/coreos/ignition/v2/config/shared/errors"
	"github.com/coreos/ignition/v2/config/util"
	v30 "github.com/coreos/ignition/v2/config/v3_0"
	v31 "github.com/coreos/ignition/v2/config/v3_1"
	v32 "github.com/coreos/ignition/v2/config/v3_2"
	v33 "github.com/coreos/ignition/v2/config/v3_3"
	v34 "github.com/coreos/ignition/v2/config/v3_4"
	v35 "github.com/coreos/ignition/v2/config/v3_5"
	v36 "github.com/coreos/ignition/v2/config/v3_6"
	v37 "github.com/coreos/ignition/v2/config/v3_7_experimental"
	"github.com/coreos/vcontext/report"
)

// ignitionParsers validate one spec version each; a config keeps its own
// version so that images with an older Ignition still accept it.
var ignitionParsers = map[string]func([]byte) (report.Report, error){
	"3.0.0": func(b []byte) (report.Report, error) { _, r, err := v30.Parse(b); return r, err },
	"3.1.0": func(b []byte) (report.Report, error) { _, r, err := v31.Parse(b); return r, err },
	"3.2.0": func(b []byte) (report.Report, error) { _, r, err := v32.Parse(b); return r, err },
	"3.3.0": func(b []byte) (report.Report, error) { _, r, err := v33.Parse(b); return r, err },
	"3.4.0": func(b []byte) (report.Report, error) { _, r, err := v34.Parse(b); return r, err },
	"3.5.0": func(b []byte) (report.Report, error) { _, r, err := v35.Parse(b); return r, err },
	"3.6.0": func(b []byte) (report.Report, error) { _, r, err := v36.Parse(b); return r, err },
	"3.7.0-experimental": func(b []byte) (report.Report, error) {
		_, r, err := v37.Parse(b)
		return r, err
	},
}

// IgnitionVersions lists the spec versions accepted.
func IgnitionVersions() []string {
	return []string{"3.0.0", "3.1.0", "3.2.0", "3.3.0", "3.4.0", "3.5.0", "3.6.0", "3.7.0-experimental"}
}

func validateIgnition(data []byte) error {
	if err := checkJSON(data); err != nil {
		return err
	}
	version, rpt, err := util.GetConfigVersion(data)
	if err != nil {
		return ignitionError(rpt, err, "$.ignition.version")
	}
	parse, ok := ignitionParsers[version.String()]
	if !ok {
		msg := fmt.Sprintf("unsupported spec version %q; supported: %s", version.String(), strings.Join(IgnitionVersions(), ", "))
		if version.Major < 3 {
			msg += " (spec 2.x is for KindIgnition v0.x; translate it to 3.x)"
		}
		return &Error{Kind: KindIgnition, Field: "$.ignition.version", Msg: msg}
	}
	rpt, err = parse(data)
	if err != nil {
		return ignitionError(rpt, err, "")
	}
	return nil
}

// checkJSON reports a config that is not one JSON object by where it
// goes wrong (line and column), not by a field it never reached.
func checkJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if _, ok := v.(map[string]any); !ok {
			return &Error{Kind: KindIgnition, Line: 1, Msg: "not a JSON object (a config is {\"ignition\": {...}, ...})"}
		}
		if _, terr := dec.Token(); terr != io.EOF {
			line, col := lineColumn(data, dec.InputOffset())
			return &Error{Kind: KindIgnition, Line: line, Msg: fmt.Sprintf("column %d: more after the config's closing brace", col)}
		}
		return nil
	}
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		line, col := lineColumn(data, syntax.Offset-1) // Offset is just past the byte at fault
		return &Error{Kind: KindIgnition, Line: line, Msg: fmt.Sprintf("column %d: not valid JSON: %v", col, err)}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		line, _ := lineColumn(data, int64(len(data)))
		return &Error{Kind: KindIgnition, Line: line, Msg: "not valid JSON: it ends early (an unclosed brace, bracket or string)"}
	}
	return &Error{Kind: KindIgnition, Msg: "not valid JSON: " + err.Error()}
}

// lineColumn is the 1-based line and column of a byte offset.
func lineColumn(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// ignitionError turns the first fatal report entry into an Error naming its
// JSON path; the report's own text is kept for the rest.
func ignitionError(rpt report.Report, err error, defaultField string) error {
	for _, e := range rpt.Entries {
		if !e.Kind.IsFatal() {
			continue
		}
		ie := &Error{Kind: KindIgnition, Field: e.Context.String(), Msg: e.Message}
		if e.Context.Len() == 0 {
			ie.Field = defaultField
		}
		if e.Marker.StartP != nil {
			ie.Line = int(e.Marker.StartP.Line)
		}
		return ie
	}
	msg := err.Error()
	if err == ignerrors.ErrInvalidVersion {
		msg = "missing or malformed (want e.g. \"3.4.0\")"
	}
	return &Error{Kind: KindIgnition, Field: defaultField, Msg: msg}
}

// renderIgnition validates the config, adds SSH keys to opts.User in
// passwd.users, and validates the result with the same spec version.
func renderIgnition(data []byte, opts RenderOptions) ([]byte, error) {
	if err := validateIgnition(data); err != nil {
		return nil, err
	}
	if len(opts.SSHKeys) == 0 {
		return data, nil
	}
	var cfg map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&cfg); err != nil {
		return nil, &Error{Kind: KindIgnition, Msg: err.Error()}
	}
	passwd, _ := cfg["passwd"].(map[string]any)
	if passwd == nil {
		passwd = map[string]any{}
		cfg["passwd"] = passwd
	}
	users, _ := passwd["users"].([]any)
	name := userOrDefault(opts.User)
	var user map[string]any
	for _, u := range users {
		if m, ok := u.(map[string]any); ok && m["name"] == name {
			user = m
		}
	}
	if user == nil {
		user = map[string]any{"name": name}
		users = append(users, user)
		passwd["users"] = users
	}
	keys, _ := user["sshAuthorizedKeys"].([]any)
	have := map[string]bool{}
	for _, k := range keys {
		if s, ok := k.(string); ok {
			have[s] = true
		}
	}
	for _, k := range opts.SSHKeys {
		if !have[k] {
			keys = append(keys, k)
			have[k] = true
		}
	}
	user["sshAuthorizedKeys"] = keys
	out, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("encode ignition config: %w", err)
	}
	if err := validateIgnition(out); err != nil {
		return nil, fmt.Errorf("config invalid after adding SSH keys: %w", err)
	}
	return out, nil
}
