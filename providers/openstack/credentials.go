package openstack

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/openstack/api"
	"gopkg.in/yaml.v3"
)

// Account says how to reach an OpenStack cloud: the flags kola and ore
// share. Credentials come from clouds.yaml (and secure.yaml beside it),
// as the openstack CLI finds them, or from the OS_* variables of an
// openrc file.
type Account struct {
	Cloud      string `name:"os-cloud" env:"OS_CLOUD" placeholder:"NAME" help:"The cloud of clouds.yaml to use. Without it, the OS_* variables (OS_AUTH_URL, OS_USERNAME, OS_PASSWORD or OS_APPLICATION_CREDENTIAL_ID and _SECRET, OS_PROJECT_NAME, ...) are."`
	CloudsFile string `name:"os-clouds-file" env:"OS_CLIENT_CONFIG_FILE" type:"path" placeholder:"PATH" help:"clouds.yaml (default: ./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml, the first that exists)."`
	Region     string `name:"os-region" placeholder:"NAME" help:"Region of the catalog's endpoints (default: the cloud's region_name, or OS_REGION_NAME)."`
	Interface  string `name:"os-interface" placeholder:"public|internal|admin" help:"Which of the catalog's endpoints to use (default: the cloud's interface, or OS_INTERFACE, or public)."`
}

func (a *Account) validate() error {
	switch a.Interface {
	case "", "public", "internal", "admin":
		return nil
	}
	return platform.Usagef("openstack: --os-interface %q is not public, internal or admin", a.Interface)
}

// cloudsFiles are where clouds.yaml is looked for, in order, as the
// openstack CLI does.
func cloudsFiles() []string {
	out := []string{"clouds.yaml"}
	if dir, err := os.UserConfigDir(); err == nil {
		out = append(out, filepath.Join(dir, "openstack", "clouds.yaml"))
	}
	return append(out, "/etc/openstack/clouds.yaml")
}

// backticked is what YAML errors quote of a file's values, which may be
// a password.
var backticked = regexp.MustCompile("`[^`]*`")

// options reads the account's credentials. Errors name the file and
// cloud (or the variable); none carries a secret.
func (a Account) options(log *slog.Logger) (api.Options, error) {
	if a.Cloud == "" {
		ao, err := openstack.AuthOptionsFromEnv()
		if err != nil {
			return api.Options{}, fmt.Errorf("no credentials: pass --os-cloud (a cloud of clouds.yaml) or set the OS_* variables (%v)", err)
		}
		if ao.TokenID == "" {
			ao.TokenID = os.Getenv("OS_TOKEN")
		}
		o := api.Options{Auth: ao, Region: firstOf(a.Region, os.Getenv("OS_REGION_NAME")), Interface: firstOf(a.Interface, os.Getenv("OS_INTERFACE"))}
		return o, check(o.Auth, "the OS_* variables")
	}
	file := a.CloudsFile
	if file == "" {
		for _, f := range cloudsFiles() {
			if _, err := os.Stat(f); err == nil {
				file = f
				break
			}
		}
		if file == "" {
			return api.Options{}, fmt.Errorf("--os-cloud %s: no clouds.yaml in %v (or pass --os-clouds-file)", a.Cloud, cloudsFiles())
		}
	}
	if _, err := os.Stat(file); err != nil {
		return api.Options{}, fmt.Errorf("clouds.yaml: %w", err)
	}
	secure := filepath.Join(filepath.Dir(file), "secure.yaml")
	for _, f := range []string{file, secure} {
		if fi, err := os.Stat(f); err == nil && fi.Mode().Perm()&0o004 != 0 && log != nil {
			log.Warn("openstack credentials file is readable by every user of this machine (chmod 600 it)", "file", f)
		}
	}
	if err := checkCloudEntry(file, a.Cloud); err != nil {
		return api.Options{}, err
	}
	opts := []clouds.ParseOption{clouds.WithCloudName(a.Cloud), clouds.WithLocations(file)}
	if a.Region != "" {
		opts = append(opts, clouds.WithRegion(a.Region))
	}
	if a.Interface != "" {
		opts = append(opts, clouds.WithEndpointType(a.Interface))
	}
	ao, eo, tlsConfig, err := parseClouds(opts...)
	if err != nil {
		return api.Options{}, fmt.Errorf("%s (secure.yaml beside it, if any), cloud %q: %s", file, a.Cloud, backticked.ReplaceAllString(err.Error(), "`…`"))
	}
	o := api.Options{Auth: ao, Region: eo.Region, Interface: string(eo.Availability), TLS: tlsConfig}
	return o, check(ao, fmt.Sprintf("%s, cloud %q", file, a.Cloud))
}

// parseClouds is gophercloud's clouds.yaml reader, whose panics on shapes
// it does not expect (fuzzing found two: a cloud with nothing under it,
// and one whose keys are not its fields) become errors.
func parseClouds(opts ...clouds.ParseOption) (ao gophercloud.AuthOptions, eo gophercloud.EndpointOpts, tlsConfig *tls.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not a clouds.yaml gophercloud can read (%v)", r)
		}
	}()
	return clouds.Parse(opts...)
}

// checkCloudEntry refuses a cloud whose entry in clouds.yaml is there but
// empty (`name:` with nothing under it), on which gophercloud's reader
// dereferences nil. Other shapes are the reader's to judge.
func checkCloudEntry(file, cloud string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("clouds.yaml: %w", err)
	}
	var doc yaml.Node
	if yaml.Unmarshal(b, &doc) != nil || len(doc.Content) == 0 {
		return nil // the reader says what is wrong
	}
	clouds := mappingValue(doc.Content[0], "clouds")
	if clouds == nil {
		return nil
	}
	if n := mappingValue(clouds, cloud); n != nil && n.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: cloud %q is empty (its auth and region_name go under it)", file, cloud)
	}
	return nil
}

// mappingValue is the value of key in a YAML mapping node, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// check names what is missing from the credentials, before a call.
func check(ao gophercloud.AuthOptions, where string) error {
	switch {
	case ao.IdentityEndpoint == "":
		return fmt.Errorf("%s: no auth_url (OS_AUTH_URL)", where)
	case ao.ApplicationCredentialID != "" || ao.ApplicationCredentialName != "":
		if ao.ApplicationCredentialSecret == "" {
			return fmt.Errorf("%s: an application credential without its secret (application_credential_secret, OS_APPLICATION_CREDENTIAL_SECRET)", where)
		}
	case ao.TokenID != "":
	case ao.Password == "":
		return fmt.Errorf("%s: no password (auth.password, OS_PASSWORD) and no application credential", where)
	case ao.Username == "" && ao.UserID == "":
		return fmt.Errorf("%s: no username (auth.username, OS_USERNAME)", where)
	}
	return nil
}

func firstOf(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// Connect reads the account's credentials and signs in.
func Connect(ctx context.Context, a Account, log *slog.Logger, tune func(*api.Options)) (*api.Client, error) {
	if err := a.validate(); err != nil {
		return nil, err
	}
	o, err := a.options(log)
	if err != nil {
		return nil, platform.Usage(fmt.Errorf("openstack: %w", err))
	}
	if tune != nil {
		tune(&o)
	}
	c, err := api.New(ctx, o)
	if err != nil {
		err = fmt.Errorf("openstack: %w", err)
		if api.IsTerminal(err) {
			return nil, platform.Usage(err)
		}
		var ae *api.Error
		if !errors.As(err, &ae) {
			return nil, platform.Usage(err) // no endpoint of the region or interface in the catalog
		}
		return nil, platform.Infra("sign in", err)
	}
	return c, nil
}
