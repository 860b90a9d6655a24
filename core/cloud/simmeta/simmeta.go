// Package simmeta holds what the simulators' metadata services share: a
// service's answers as a tree of leaves by path, where a path that is
// not a leaf but a prefix of some is a directory, listed one entry per
// line as the clouds list them.
package simmeta

import (
	"slices"
	"strings"
)

// Tree is a metadata service's leaves by path, without leading or
// trailing slashes ("metadata/v1/hostname").
type Tree map[string]string

// Lookup answers a path (slashes around it are ignored): a leaf's value,
// or a directory's entries sorted one per line, subdirectories ending in
// a slash when dirSlash (EC2 and DigitalOcean mark them, OpenStack's
// own tree does not). ok is false for a path that is neither.
func (t Tree) Lookup(path string, dirSlash bool) (answer string, ok bool) {
	p := strings.Trim(path, "/")
	if v, ok := t[p]; ok {
		return v, true
	}
	prefix := p + "/"
	if p == "" {
		prefix = ""
	}
	dirs := map[string]bool{} // entry → is a directory
	for k := range t {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		entry, _, sub := strings.Cut(rest, "/")
		dirs[entry] = dirs[entry] || sub
	}
	if len(dirs) == 0 {
		return "", false
	}
	var entries []string
	for entry, dir := range dirs {
		if dir && dirSlash {
			entry += "/"
		}
		entries = append(entries, entry)
	}
	slices.Sort(entries)
	return strings.Join(entries, "\n"), true
}
