package esx

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/esx/api"
	"gopkg.in/yaml.v3"
)

// Account says how to reach vSphere: the flags kola and ore share, and
// the GOVC_* variables govc users have set.
type Account struct {
	Server     string `name:"esx-server" env:"GOVC_URL" placeholder:"URL" help:"vCenter's or ESXi's URL (https://HOST[/sdk])."`
	User       string `name:"esx-user" env:"GOVC_USERNAME" placeholder:"NAME" help:"User name."`
	Password   string `name:"esx-password" env:"GOVC_PASSWORD" placeholder:"PASSWORD" help:"Password (prefer GOVC_PASSWORD or --esx-config-file: a flag's value is visible to other users of this machine)."`
	ConfigFile string `name:"esx-config-file" type:"path" placeholder:"PATH" help:"YAML with server, user, password, datacenter, ca-file and insecure, for what the flags and variables do not give."`
	Datacenter string `name:"esx-datacenter" env:"GOVC_DATACENTER" placeholder:"NAME" help:"Datacenter (default: the only one)."`
	CAFile     string `name:"esx-ca-file" env:"GOVC_TLS_CA_CERTS" type:"path" placeholder:"PATH" help:"PEM certificates to check the server's against (default: the system's)."`
	Insecure   bool   `name:"esx-insecure" env:"GOVC_INSECURE" help:"Do not check the server's certificate."`
}

func (a *Account) validate() error {
	if a.Server != "" {
		if u, err := url.Parse(a.Server); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return platform.Usagef("esx: --esx-server %q is not an http(s) URL", a.Server)
		}
	}
	return nil
}

// configFile is --esx-config-file.
type configFile struct {
	Server     string `yaml:"server"`
	User       string `yaml:"user"`
	Password   string `yaml:"password"`
	Datacenter string `yaml:"datacenter"`
	CAFile     string `yaml:"ca-file"`
	Insecure   *bool  `yaml:"insecure"`
}

// options gathers the account: flags (and GOVC_*) first, then the config
// file. Errors name the file or flag; none carries the password.
func (a Account) options(log *slog.Logger) (api.Options, error) {
	o := api.Options{Server: a.Server, User: a.User, Password: a.Password, Datacenter: a.Datacenter, CAFile: a.CAFile, Insecure: a.Insecure}
	if a.ConfigFile != "" {
		fi, err := os.Stat(a.ConfigFile)
		if err != nil {
			return o, fmt.Errorf("--esx-config-file: %w", err)
		}
		if fi.Mode().Perm()&0o004 != 0 && log != nil {
			log.Warn("vSphere config file is readable by every user of this machine (chmod 600 it)", "file", a.ConfigFile)
		}
		b, err := os.ReadFile(a.ConfigFile)
		if err != nil {
			return o, fmt.Errorf("--esx-config-file: %w", err)
		}
		var c configFile
		if err := yaml.Unmarshal(b, &c); err != nil {
			return o, fmt.Errorf("--esx-config-file %s: %s", a.ConfigFile, yamlErrorWithoutValues(err))
		}
		o.Server, o.User, o.Password = firstOf(o.Server, c.Server), firstOf(o.User, c.User), firstOf(o.Password, c.Password)
		o.Datacenter, o.CAFile = firstOf(o.Datacenter, c.Datacenter), firstOf(o.CAFile, c.CAFile)
		if c.Insecure != nil && !o.Insecure {
			o.Insecure = *c.Insecure
		}
	}
	// govc's GOVC_URL may carry the user and password.
	if u, err := url.Parse(o.Server); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && o.Password == "" {
			o.Password = p
		}
		if o.User == "" {
			o.User = u.User.Username()
		}
		u.User = nil
		o.Server = u.String()
	}
	file := "--esx-config-file"
	if a.ConfigFile != "" {
		file += " " + a.ConfigFile
	}
	switch {
	case o.Server == "":
		return o, fmt.Errorf("no server: pass --esx-server (or GOVC_URL, or server in %s)", file)
	case o.User == "":
		return o, fmt.Errorf("no user: pass --esx-user (or GOVC_USERNAME, or user in %s)", file)
	case o.Password == "":
		return o, fmt.Errorf("no password: set GOVC_PASSWORD (or password in %s)", file)
	}
	if u, err := url.Parse(o.Server); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return o, fmt.Errorf("server %q is not an http(s) URL (from --esx-server, GOVC_URL or server in %s)", o.Server, file)
	}
	return o, nil
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// yamlErrorWithoutValues keeps a YAML error's kind but not the text it
// quotes, which may be the password.
func yamlErrorWithoutValues(err error) string {
	if te, ok := err.(*yaml.TypeError); ok {
		return strconv.Itoa(len(te.Errors)) + " fields of the wrong type"
	}
	return "malformed YAML"
}

// Connect reads the account and signs in; placement is where machines go
// (and, for tests, how quickly calls are retried).
func Connect(ctx context.Context, a Account, placement api.Options, log *slog.Logger) (*api.Client, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	o, err := a.options(log)
	if err != nil {
		return nil, platform.Usage(fmt.Errorf("esx: %w", err))
	}
	o.ResourcePool, o.Datastore, o.Folder, o.Network = placement.ResourcePool, placement.Datastore, placement.Folder, placement.Network
	o.MaxRetries, o.RetryWaitMin, o.RetryWaitMax = placement.MaxRetries, placement.RetryWaitMin, placement.RetryWaitMax
	c, err := api.New(ctx, o)
	if err != nil {
		err = fmt.Errorf("esx: %w", err)
		if api.IsTerminal(err) {
			return nil, platform.Usage(err)
		}
		return nil, platform.Infra("sign in", err)
	}
	return c, nil
}
