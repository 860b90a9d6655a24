package conf

import (
	"errors"
	"fmt"
)

// Error is an invalid userdata. Field names where the problem is, in the
// notation of the kind: "$.storage.files.0.path" for Ignition,
// "write_files[1].path" for cloud-config; Line is 1-based when known.
type Error struct {
	Kind   Kind
	Source string // file name or test name, when known
	Field  string
	Line   int
	Msg    string
}

func (e *Error) Error() string {
	s := e.Kind.String()
	if e.Source != "" {
		s = e.Source + ": " + s
	}
	if e.Field != "" {
		s += " " + e.Field
	}
	if e.Line > 0 {
		s += fmt.Sprintf(" (line %d)", e.Line)
	}
	return s + ": " + e.Msg
}

// ErrKeysNotInjectable is returned when SSH keys cannot be put into a
// userdata without breaking it (a script in a language other than sh); the
// test must set NoSSHKeyInUserData and rely on the platform's metadata.
var ErrKeysNotInjectable = errors.New("cannot add SSH keys to this userdata")
