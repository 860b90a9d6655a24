package cloudmeta

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// EC2 is Amazon EC2's instance metadata service, spoken as IMDSv2: a
// session token first, so it works whether or not the instance allows
// IMDSv1.
type EC2 struct {
	Endpoint string // http://169.254.169.254
	Client   *http.Client
}

// tokenTTL is the session's life in seconds: the agent needs a minute.
const tokenTTL = "300"

// SSHKeys reads public-keys/: one entry per key ("0=NAME"), each key at
// public-keys/N/openssh-key. An instance launched without a key pair has
// no public-keys/ (404): no keys, not an error.
func (e *EC2) SSHKeys(ctx context.Context, _ string) ([]string, error) {
	token, _, err := get(ctx, e.Client, http.MethodPut, e.Endpoint+"/latest/api/token", map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": tokenTTL})
	if err != nil {
		return nil, fmt.Errorf("EC2 metadata session: %w", err)
	}
	h := map[string]string{"X-aws-ec2-metadata-token": token}
	list, ok, err := get(ctx, e.Client, http.MethodGet, e.Endpoint+"/latest/meta-data/public-keys/", h)
	if err != nil || !ok {
		return nil, err
	}
	var keys []string
	for _, entry := range strings.Fields(list) {
		index, _, _ := strings.Cut(entry, "=")
		key, ok, err := get(ctx, e.Client, http.MethodGet, e.Endpoint+"/latest/meta-data/public-keys/"+index+"/openssh-key", h)
		if err != nil {
			return nil, err
		}
		if ok && strings.TrimSpace(key) != "" {
			keys = append(keys, strings.TrimSpace(key))
		}
	}
	return keys, nil
}
