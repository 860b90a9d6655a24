package cloudmeta

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// OpenStack is Nova's metadata service (the OpenStack tree, not the
// EC2-compatible one, which clouds may turn off). The server's key pair
// is in meta_data.json's public_keys, by key name; like EC2's it goes to
// the image's default user.
type OpenStack struct {
	Endpoint string // http://169.254.169.254
	Client   *http.Client
}

// SSHKeys reads public_keys of openstack/latest/meta_data.json; a server
// made without a key pair has none (no keys, not an error).
func (o *OpenStack) SSHKeys(ctx context.Context, _ string) ([]string, error) {
	url := o.Endpoint + "/openstack/latest/meta_data.json"
	body, ok, err := get(ctx, o.Client, http.MethodGet, url, nil)
	if err != nil || !ok {
		return nil, err
	}
	var md struct {
		PublicKeys map[string]string `json:"public_keys"`
	}
	if err := json.Unmarshal([]byte(body), &md); err != nil {
		return nil, &PermanentError{fmt.Errorf("%s: %w", url, err)}
	}
	var keys []string
	for _, k := range md.PublicKeys {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, nil
}
