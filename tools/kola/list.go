package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
)

type listCmd struct {
	Patterns []string `arg:"" optional:"" name:"pattern" help:"Glob patterns of test names (default: all)."`
	Tag      []string `name:"tag" short:"t" placeholder:"TAG" help:"Only tests with this tag; !TAG leaves tests with it out."`
	JSON     bool     `name:"json" help:"Print JSON: one object per test."`
}

// testInfo is a test as kola list --json prints it.
type testInfo struct {
	Name                 string   `json:"name"`
	Description          string   `json:"description,omitempty"`
	ClusterSize          int      `json:"cluster_size"`
	Platforms            []string `json:"platforms,omitempty"`
	ExcludePlatforms     []string `json:"exclude_platforms,omitempty"`
	Architectures        []string `json:"architectures,omitempty"`
	ExcludeArchitectures []string `json:"exclude_architectures,omitempty"`
	Distros              []string `json:"distros,omitempty"`
	ExcludeDistros       []string `json:"exclude_distros,omitempty"`
	Tags                 []string `json:"tags,omitempty"`
	Timeout              string   `json:"timeout,omitempty"`
	MinVersion           string   `json:"min_version,omitempty"`
	EndVersion           string   `json:"end_version,omitempty"`
	Flags                []string `json:"flags,omitempty"`
	NativeFuncs          []string `json:"native_funcs,omitempty"`
	UserData             string   `json:"userdata,omitempty"` // its kind
}

func (l *listCmd) Run(a *app, c *cli) error {
	if err := a.tests.Err(); err != nil {
		return platform.Usage(fmt.Errorf("invalid test definitions:\n%w", err))
	}
	// Only an explicit --platform filters the list.
	tests, _, err := runner.Select(a.tests.Tests(), runner.Criteria{Patterns: l.Patterns, Tags: l.Tag, Platform: c.Platform})
	if err != nil {
		return err
	}
	infos := make([]testInfo, 0, len(tests))
	for _, t := range tests {
		infos = append(infos, info(t))
	}
	if l.JSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(infos)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tMACHINES\tPLATFORMS\tTAGS")
	for _, t := range infos {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\n", t.Name, t.ClusterSize, platformsText(t), strings.Join(t.Tags, ","))
	}
	return w.Flush()
}

func platformsText(t testInfo) string {
	s := "all"
	if len(t.Platforms) > 0 {
		s = strings.Join(t.Platforms, ",")
	}
	for _, p := range t.ExcludePlatforms {
		s += ",!" + p
	}
	return s
}

func info(t *register.Test) testInfo {
	ti := testInfo{
		Name: t.Name, Description: t.Description, ClusterSize: t.ClusterSize,
		Platforms: t.Platforms, ExcludePlatforms: t.ExcludePlatforms,
		Architectures: t.Architectures, ExcludeArchitectures: t.ExcludeArchitectures,
		Distros: t.Distros, ExcludeDistros: t.ExcludeDistros, Tags: t.Tags,
		MinVersion: t.MinVersion, EndVersion: t.EndVersion,
	}
	if t.Timeout > 0 {
		ti.Timeout = t.Timeout.String()
	}
	for _, f := range t.Flags {
		ti.Flags = append(ti.Flags, string(f))
	}
	for n := range t.NativeFuncs {
		ti.NativeFuncs = append(ti.NativeFuncs, n)
	}
	sort.Strings(ti.NativeFuncs)
	if !t.UserData.IsEmpty() {
		ti.UserData = t.UserData.Kind().String()
	}
	return ti
}
