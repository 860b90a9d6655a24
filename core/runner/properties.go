package runner

import (
	"runtime"
	"time"

	"github.com/strata-os/strata/core/version"
)

// Properties is properties.json: how the run was made, so a result can be
// reproduced. Provider options are serialized from the provider's flag
// struct, whose secret fields must carry `json:"-"`.
type Properties struct {
	CommandLine     []string          `json:"command_line"`
	Platform        string            `json:"platform"`
	Flight          string            `json:"flight"`
	Started         time.Time         `json:"started"`
	Options         RunOptions        `json:"options"`
	ProviderOptions any               `json:"provider_options,omitempty"`
	Versions        map[string]string `json:"versions"`
}

// RunOptions are the runner's options as resolved.
type RunOptions struct {
	Patterns  []string `json:"patterns"`
	Tags      []string `json:"tags,omitempty"`
	Arch      string   `json:"arch"`
	Distro    string   `json:"distro,omitempty"`
	OSVersion string   `json:"os_version,omitempty"`
	Parallel  int      `json:"parallel"`
	Timeout   string   `json:"default_timeout"`
}

func newProperties(opts Options, flight string, parallel int, started time.Time) Properties {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	patterns := opts.Patterns
	if len(patterns) == 0 {
		patterns = []string{"*"}
	}
	return Properties{
		CommandLine: opts.CommandLine,
		Platform:    opts.Platform,
		Flight:      flight,
		Started:     started,
		Options: RunOptions{
			Patterns: patterns, Tags: opts.Tags, Arch: opts.Arch, Distro: opts.Distro,
			OSVersion: opts.OSVersion, Parallel: parallel, Timeout: timeout.String(),
		},
		ProviderOptions: opts.ProviderOptions,
		Versions:        map[string]string{"strata": version.String(), "go": runtime.Version()},
	}
}
