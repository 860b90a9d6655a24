package gce

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// credentials is a checked credentials file, kept in memory only.
type credentials struct {
	json    []byte
	kind    string // service_account or authorized_user
	project string
}

// required are the fields each kind of credentials needs.
var required = map[string][]string{
	"service_account": {"client_email", "private_key", "token_uri"},
	"authorized_user": {"client_id", "client_secret", "refresh_token"},
}

// loadCredentials finds and checks the credentials: the --gce-json-key
// file, else (for Google's endpoint only, so a simulator never sees real
// credentials) GOOGLE_APPLICATION_CREDENTIALS or gcloud's application
// default credentials file. nil with no error leaves it to the client
// (the metadata server on Google's machines; no credentials for a
// simulator). Errors and logs name files and fields, never their values.
func loadCredentials(flagPath string, customEndpoint bool, log *slog.Logger) (*credentials, error) {
	path, source := flagPath, "--gce-json-key"
	if path == "" && !customEndpoint {
		path, source = os.Getenv("GOOGLE_APPLICATION_CREDENTIALS"), "GOOGLE_APPLICATION_CREDENTIALS"
		if path == "" {
			if dir, err := os.UserConfigDir(); err == nil {
				adc := filepath.Join(dir, "gcloud", "application_default_credentials.json")
				if _, err := os.Stat(adc); err == nil {
					path, source = adc, "application default credentials"
				}
			}
		}
	}
	if path == "" {
		return nil, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("credentials file %s (%s): %w", path, source, err)
	}
	if fi.Mode().Perm()&0o044 != 0 {
		log.Warn("credentials file can be read by others than its owner; chmod 600 it", "file", path, "mode", fi.Mode().Perm().String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("credentials file %s (%s): %w", path, source, err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Errorf("credentials file %s (%s) is not JSON: %s", path, source, jsonError(data, err))
	}
	kind, _ := fields["type"].(string)
	need, ok := required[kind]
	if !ok {
		if kind == "" {
			return nil, fmt.Errorf("credentials file %s (%s): field \"type\" is missing (want service_account or authorized_user)", path, source)
		}
		return nil, fmt.Errorf("credentials file %s (%s): field \"type\" is %q; strata takes service_account or authorized_user", path, source, kind)
	}
	for _, f := range need {
		if v, _ := fields[f].(string); v == "" {
			return nil, fmt.Errorf("credentials file %s (%s): %s credentials need field %q, which is missing or empty", path, source, kind, f)
		}
	}
	if kind == "service_account" && !strings.Contains(fields["private_key"].(string), "-----BEGIN") {
		return nil, fmt.Errorf("credentials file %s (%s): field \"private_key\" is not a PEM key", path, source)
	}
	c := &credentials{json: data, kind: kind}
	c.project, _ = fields["project_id"].(string)
	if c.project == "" {
		c.project, _ = fields["quota_project_id"].(string)
	}
	return c, nil
}

// jsonError says where a JSON file is malformed, by line, without
// quoting it (the file holds a private key).
func jsonError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("line %d: %v", line, se)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "the top level is not an object"
	}
	return err.Error()
}
