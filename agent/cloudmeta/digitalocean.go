package cloudmeta

import (
	"context"
	"net/http"
	"strings"
)

// DigitalOcean is the droplet metadata service. The keys a droplet was
// made with are metadata/v1/public-keys, one per line; they go to the
// image's default user.
type DigitalOcean struct {
	Endpoint string // http://169.254.169.254
	Client   *http.Client
}

// SSHKeys reads metadata/v1/public-keys; a droplet made without keys has
// an empty list.
func (d *DigitalOcean) SSHKeys(ctx context.Context, _ string) ([]string, error) {
	body, ok, err := get(ctx, d.Client, http.MethodGet, d.Endpoint+"/metadata/v1/public-keys", nil)
	if err != nil || !ok {
		return nil, err
	}
	var keys []string
	for _, line := range strings.Split(body, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			keys = append(keys, line)
		}
	}
	return keys, nil
}
