// Package exttest finds and reads external tests in coreos-assembler's
// layout: every executable under DIR/tests/kola is a test, with its
// metadata from its directory's kola.json and from an inline header in
// the executable itself,
//
//	#!/bin/bash
//	## kola:
//	##   platforms: qemu
//	##   timeoutMin: 5
//	set -xeuo pipefail
//
// its data directory (data/ beside it, on the machine at $KOLA_EXT_DATA)
// and an Ignition config or Butane config (config.ign, config.bu) beside
// it. Both metadata sources are honoured, the inline header's keys over
// kola.json's (upstream's reader drops kola.json whenever it reads the
// executable, which it always does); a key strata does not support, or a
// value of the wrong kind, is an error naming the file and line.
package exttest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Meta is a test's metadata. Platforms, Architectures and Distros are
// space-separated lists; a leading "!" makes one a list of exclusions.
type Meta struct {
	Architectures             string
	Platforms                 string
	Distros                   string
	Tags                      string
	RequiredTag               string
	TimeoutMin                int
	Exclusive                 bool // default true
	Conflicts                 []string
	PrimaryDisk               string
	AdditionalDisks           []string
	MinMemory                 int // MiB
	MinDisk                   int // GiB
	AdditionalNics            int
	AppendKernelArgs          string
	AppendFirstbootKernelArgs string
	AllowConfigWarnings       bool
	Description               string
	RequiredHostPorts         []int
	CreationDate              string // YYYY-MM-DD
	// Created is CreationDate parsed.
	Created time.Time
}

// keys are the metadata keys, and where each goes.
func (m *Meta) keys() map[string]any {
	return map[string]any{
		"architectures": &m.Architectures, "platforms": &m.Platforms, "distros": &m.Distros,
		"tags": &m.Tags, "requiredTag": &m.RequiredTag, "timeoutMin": &m.TimeoutMin,
		"exclusive": &m.Exclusive, "conflicts": &m.Conflicts, "primaryDisk": &m.PrimaryDisk,
		"additionalDisks": &m.AdditionalDisks, "minMemory": &m.MinMemory, "minDisk": &m.MinDisk,
		"additionalNics": &m.AdditionalNics, "appendKernelArgs": &m.AppendKernelArgs,
		"appendFirstbootKernelArgs": &m.AppendFirstbootKernelArgs, "allowConfigWarnings": &m.AllowConfigWarnings,
		"description": &m.Description, "requiredHostPorts": &m.RequiredHostPorts, "creationDate": &m.CreationDate,
	}
}

// unsupported are coreos-assembler's keys strata does not implement:
// refused by name, so that a test does not silently run without what it
// asked for.
var unsupported = map[string]string{
	"injectContainer": "strata builds no ostree container to inject",
	"numaNodes":       "the qemu platform makes no NUMA nodes",
	"noInstanceCreds": "strata's clouds give machines no instance credentials to withhold",
	"instanceType":    "give the machine type with the platform's flag",
	"bindMountHostRO": "strata's qemu platform shares no host directories",
	"bootFrom":        "strata boots from the image's disk only",
}

// source is one place metadata comes from: kola.json or an inline header.
type source struct {
	file string
	// line is added to the node's line: the header's first line in the
	// executable (the YAML starts after it).
	line int
	node *yaml.Node // a mapping
}

// where is a metadata node's place for messages.
func (s source) where(n *yaml.Node) string {
	return fmt.Sprintf("%s:%d", s.file, s.line+n.Line)
}

// decode sets m from the sources, later ones' keys over earlier ones'.
func (m *Meta) decode(sources ...source) error {
	m.Exclusive = true
	fields := m.keys()
	type value struct {
		src  source
		node *yaml.Node
	}
	chosen := map[string]value{}
	var order []string
	for _, src := range sources {
		n := src.node
		if n.Kind != yaml.MappingNode {
			return fmt.Errorf("%s: metadata is a mapping of keys (platforms: …), not %s", src.where(n), describe(n))
		}
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if why, ok := unsupported[key.Value]; ok {
				return fmt.Errorf("%s: key %q is not supported: %s", src.where(key), key.Value, why)
			}
			if _, ok := fields[key.Value]; !ok {
				return fmt.Errorf("%s: unknown key %q (known: %s)", src.where(key), key.Value, strings.Join(sortedKeys(fields), ", "))
			}
			if seen[key.Value] {
				return fmt.Errorf("%s: %s given twice", src.where(key), key.Value)
			}
			seen[key.Value] = true
			if _, ok := chosen[key.Value]; !ok {
				order = append(order, key.Value)
			}
			chosen[key.Value] = value{src, val}
		}
	}
	for _, k := range order {
		v := chosen[k]
		// A quoted "no" or "3" is a string, as in the JSON of kola.json;
		// yaml.v3 would read it into a bool or an int.
		wantTag := map[string]string{"true or false": "!!bool", "an integer": "!!int"}[kindOf(fields[k])]
		if err := v.node.Decode(fields[k]); err != nil || wantTag != "" && v.node.Tag != wantTag {
			return fmt.Errorf("%s: %s must be %s, not %s", v.src.where(v.node), k, kindOf(fields[k]), describe(v.node))
		}
	}
	if m.CreationDate != "" {
		t, err := time.Parse("2006-01-02", m.CreationDate)
		if err != nil {
			v := chosen["creationDate"]
			return fmt.Errorf("%s: creationDate %q is not a date (YYYY-MM-DD)", v.src.where(v.node), m.CreationDate)
		}
		m.Created = t
	}
	for _, k := range []string{"timeoutMin", "minMemory", "minDisk", "additionalNics"} {
		if n := *fields[k].(*int); n < 0 {
			v := chosen[k]
			return fmt.Errorf("%s: %s %d must not be negative", v.src.where(v.node), k, n)
		}
	}
	return nil
}

// Split reads a space-separated list with an optional leading "!": the
// items, and whether they are exclusions.
func Split(list string) (items []string, exclude bool) {
	list = strings.TrimSpace(list)
	if rest, ok := strings.CutPrefix(list, "!"); ok {
		return strings.Fields(rest), true
	}
	return strings.Fields(list), false
}

func kindOf(field any) string {
	switch field.(type) {
	case *string:
		return "a string"
	case *int:
		return "an integer"
	case *bool:
		return "true or false"
	case *[]string:
		return "a list of strings"
	case *[]int:
		return "a list of integers"
	}
	return "something else"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return fmt.Sprintf("%q", n.Value)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
