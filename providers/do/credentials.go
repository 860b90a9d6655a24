package do

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/do/api"
	"gopkg.in/yaml.v3"
)

// Account says how to reach DigitalOcean: the flags kola and ore share.
type Account struct {
	ConfigFile string `name:"do-config-file" type:"path" placeholder:"PATH" help:"doctl's config file (access-token, or auth-contexts and context). Default: DIGITALOCEAN_TOKEN (or DIGITALOCEAN_ACCESS_TOKEN)."`
	Context    string `name:"do-context" placeholder:"NAME" help:"The auth context of --do-config-file to use (default: the file's context, then its access-token)."`
	Endpoint   string `name:"do-endpoint" placeholder:"URL" help:"The API at this URL instead of DigitalOcean's (e.g. a simulator from ore do simulate)."`
}

// doctlConfig is the part of doctl's config.yaml that holds tokens.
type doctlConfig struct {
	AccessToken  string            `yaml:"access-token"`
	Context      string            `yaml:"context"`
	AuthContexts map[string]string `yaml:"auth-contexts"`
}

// token reads the account's token: from --do-config-file the way doctl
// does (the context's token, else access-token), or from the
// environment. Errors name the file and key; none carries the token.
func (a Account) token(log *slog.Logger) (string, error) {
	if a.ConfigFile == "" {
		for _, v := range []string{"DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"} {
			if t := os.Getenv(v); t != "" {
				return t, nil
			}
		}
		return "", fmt.Errorf("no token: pass --do-config-file (doctl's config.yaml) or set DIGITALOCEAN_TOKEN")
	}
	fi, err := os.Stat(a.ConfigFile)
	if err != nil {
		return "", fmt.Errorf("--do-config-file: %w", err)
	}
	if fi.Mode().Perm()&0o004 != 0 && log != nil {
		log.Warn("digitalocean config file is readable by every user of this machine (chmod 600 it)", "file", a.ConfigFile)
	}
	b, err := os.ReadFile(a.ConfigFile)
	if err != nil {
		return "", fmt.Errorf("--do-config-file: %w", err)
	}
	var c doctlConfig
	if err := yaml.Unmarshal(b, &c); err != nil {
		return "", fmt.Errorf("--do-config-file %s: not doctl's YAML config: %v", a.ConfigFile, yamlErrorWithoutValues(err))
	}
	name := a.Context
	if name == "" {
		name = c.Context
	}
	if name != "" && name != "default" {
		t, ok := c.AuthContexts[name]
		if !ok || t == "" {
			return "", fmt.Errorf("--do-config-file %s: auth-contexts has no token for context %q", a.ConfigFile, name)
		}
		return t, nil
	}
	if c.AccessToken == "" {
		return "", fmt.Errorf("--do-config-file %s: access-token is empty (and no context is chosen)", a.ConfigFile)
	}
	return c.AccessToken, nil
}

// yamlErrorWithoutValues keeps a YAML error's position and kind but not
// the text it quotes, which may be a token.
func yamlErrorWithoutValues(err error) string {
	if te, ok := err.(*yaml.TypeError); ok {
		return fmt.Sprintf("%d fields of the wrong type", len(te.Errors))
	}
	return "malformed YAML"
}

// Connect checks the account's flags and token and returns a client. It
// makes no call.
func Connect(ctx context.Context, a Account, log *slog.Logger, tune func(*api.Options)) (*api.Client, error) {
	tok, err := a.token(log)
	if err != nil {
		return nil, platform.Usage(fmt.Errorf("do: %w", err))
	}
	o := api.Options{Token: tok}
	if a.Endpoint != "" {
		u, err := url.Parse(a.Endpoint)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, platform.Usagef("do: --do-endpoint %q is not an http(s) URL", a.Endpoint)
		}
		o.Endpoint = a.Endpoint
	}
	if tune != nil {
		tune(&o)
	}
	c, err := api.New(o)
	if err != nil {
		return nil, fmt.Errorf("do: %w", err)
	}
	return c, nil
}
