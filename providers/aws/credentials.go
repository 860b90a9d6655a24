package aws

import (
	"bufio"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// checkCredentialFiles looks at the shared credentials file the SDK will
// read, before it does: a missing file named by a flag, a malformed one or
// a profile without keys is an error naming the file and the field, and a
// file others can read gets a warning. It never logs a secret.
func checkCredentialFiles(a Account, log *slog.Logger) error {
	path, named := a.CredentialsFile, a.CredentialsFile != ""
	if !named {
		path = os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
		named = path != ""
	}
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil
		}
		path = filepath.Join(home, ".aws", "credentials")
	}
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		if named && a.CredentialsFile != "" {
			return fmt.Errorf("aws: credentials file %s (--aws-credentials-file): does not exist", path)
		}
		return nil // the SDK's other sources (environment, instance role) apply
	}
	if err != nil {
		return fmt.Errorf("aws: credentials file %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		log.Warn("AWS credentials file is readable by other users; chmod 600 it", "file", path, "mode", fi.Mode().Perm().String())
	}
	profiles, err := parseCredentials(path)
	if err != nil {
		return err
	}
	profile := a.Profile
	if profile == "" {
		profile = os.Getenv("AWS_PROFILE")
	}
	if profile == "" {
		return nil // the default profile may come from the config file or the environment
	}
	keys, ok := profiles[profile]
	if !ok {
		return nil // a profile may live in the config file only (SSO, roles)
	}
	for _, field := range []string{"aws_access_key_id", "aws_secret_access_key"} {
		if keys[field] == "" && keys["role_arn"] == "" && keys["credential_process"] == "" && keys["sso_session"] == "" {
			return fmt.Errorf("aws: credentials file %s: profile [%s] has no %s", path, profile, field)
		}
	}
	return nil
}

// parseCredentials reads an INI-style credentials file into profile →
// field → value, with the line of anything it cannot read.
func parseCredentials(path string) (map[string]map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("aws: credentials file %s: %w", path, err)
	}
	defer f.Close()
	profiles := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			name := strings.TrimSpace(strings.TrimPrefix(strings.TrimSuffix(line, "]"), "["))
			if name == "" {
				return nil, fmt.Errorf("aws: credentials file %s:%d: empty profile name", path, n)
			}
			cur = map[string]string{}
			profiles[name] = cur
		case cur == nil:
			return nil, fmt.Errorf("aws: credentials file %s:%d: a setting before any [profile]", path, n)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || strings.TrimSpace(k) == "" {
				// The line may hold a secret: say where, not what.
				return nil, fmt.Errorf("aws: credentials file %s:%d: not a key = value line", path, n)
			}
			cur[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("aws: credentials file %s: %w", path, err)
	}
	return profiles, nil
}
