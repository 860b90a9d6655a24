package packet

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/packet/api"
	"gopkg.in/yaml.v3"
)

// Account says how to reach a Metal API: the flags kola and ore share.
type Account struct {
	APIKey     string `name:"packet-api-key" env:"PACKET_AUTH_TOKEN" placeholder:"KEY" help:"API key (prefer the environment variable or --packet-config-file: a flag's value is visible to other users of this machine)."`
	ConfigFile string `name:"packet-config-file" type:"path" placeholder:"PATH" help:"The metal CLI's config file (token, project-id)."`
	Project    string `name:"packet-project" env:"PACKET_PROJECT_ID" placeholder:"ID" help:"Project ID (default: the config file's project-id)."`
	Endpoint   string `name:"packet-endpoint" placeholder:"URL" help:"The API at this base URL (ending in /metal/v1/) instead of Equinix's: an API-compatible deployment, or a simulator from ore packet simulate."`
}

var projectID = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func (a *Account) validate() error {
	if a.Endpoint != "" {
		u, err := url.Parse(a.Endpoint)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return platform.Usagef("packet: --packet-endpoint %q is not an http(s) URL", a.Endpoint)
		}
	}
	return nil
}

// metalConfig is the part of the metal CLI's config.yaml strata reads.
type metalConfig struct {
	Token     string `yaml:"token"`
	ProjectID string `yaml:"project-id"`
}

// options reads the key and project: the flag or PACKET_AUTH_TOKEN (or
// METAL_AUTH_TOKEN), else the config file. Errors name the file and key;
// none carries the key.
func (a Account) options(log *slog.Logger) (api.Options, error) {
	o := api.Options{APIKey: a.APIKey, Project: a.Project, Endpoint: a.Endpoint}
	// kong fills the flags from PACKET_*; a caller that is not kola or
	// ore gets the same, and the metal CLI's own METAL_* too.
	if o.APIKey == "" {
		o.APIKey = firstEnv("PACKET_AUTH_TOKEN", "METAL_AUTH_TOKEN")
	}
	if o.Project == "" {
		o.Project = firstEnv("PACKET_PROJECT_ID", "METAL_PROJECT_ID")
	}
	if a.ConfigFile != "" {
		fi, err := os.Stat(a.ConfigFile)
		if err != nil {
			return o, fmt.Errorf("--packet-config-file: %w", err)
		}
		if fi.Mode().Perm()&0o004 != 0 && log != nil {
			log.Warn("metal config file is readable by every user of this machine (chmod 600 it)", "file", a.ConfigFile)
		}
		b, err := os.ReadFile(a.ConfigFile)
		if err != nil {
			return o, fmt.Errorf("--packet-config-file: %w", err)
		}
		var c metalConfig
		if err := yaml.Unmarshal(b, &c); err != nil {
			return o, fmt.Errorf("--packet-config-file %s: not the metal CLI's YAML config (%s)", a.ConfigFile, yamlErrorWithoutValues(err))
		}
		if o.APIKey == "" {
			if c.Token == "" {
				return o, fmt.Errorf("--packet-config-file %s: token is empty", a.ConfigFile)
			}
			o.APIKey = c.Token
		}
		if o.Project == "" {
			o.Project = c.ProjectID
		}
	}
	file := "--packet-config-file"
	if a.ConfigFile != "" {
		file += " " + a.ConfigFile
	}
	switch {
	case o.APIKey == "":
		return o, fmt.Errorf("no API key: set PACKET_AUTH_TOKEN or pass --packet-config-file (the metal CLI's config)")
	case o.Project == "":
		return o, fmt.Errorf("no project: pass --packet-project (or PACKET_PROJECT_ID, or project-id in %s)", file)
	case !projectID.MatchString(o.Project):
		return o, fmt.Errorf("project %q is not a project ID (a UUID; from --packet-project, PACKET_PROJECT_ID or project-id in %s)", o.Project, file)
	}
	return o, nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

// yamlErrorWithoutValues keeps a YAML error's kind but not the text it
// quotes, which may be the key.
func yamlErrorWithoutValues(err error) string {
	if te, ok := err.(*yaml.TypeError); ok {
		return fmt.Sprintf("%d fields of the wrong type", len(te.Errors))
	}
	return "malformed YAML"
}

// Connect checks the account's flags and key and returns a client. It
// makes no call.
func Connect(_ context.Context, a Account, log *slog.Logger, tune func(*api.Options)) (*api.Client, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	o, err := a.options(log)
	if err != nil {
		return nil, platform.Usage(fmt.Errorf("packet: %w", err))
	}
	if tune != nil {
		tune(&o)
	}
	c, err := api.New(o)
	if err != nil {
		return nil, fmt.Errorf("packet: %w", err)
	}
	return c, nil
}
