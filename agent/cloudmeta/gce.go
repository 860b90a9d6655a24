package cloudmeta

import (
	"context"
	"net/http"
	"strings"
)

// GCE is Compute Engine's metadata server. Keys are per user, as
// "USER:KEY" lines in the instance's ssh-keys attribute and, unless the
// instance blocks them, the project's.
type GCE struct {
	Endpoint string // http://169.254.169.254
	Client   *http.Client
}

var flavor = map[string]string{"Metadata-Flavor": "Google"}

// SSHKeys are user's keys from the instance's and the project's ssh-keys.
func (g *GCE) SSHKeys(ctx context.Context, user string) ([]string, error) {
	base := g.Endpoint + "/computeMetadata/v1/"
	lists := []string{"instance/attributes/ssh-keys"}
	block, _, err := get(ctx, g.Client, http.MethodGet, base+"instance/attributes/block-project-ssh-keys", flavor)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(block) != "true" {
		lists = append(lists, "project/attributes/ssh-keys")
	}
	var keys []string
	for _, p := range lists {
		body, ok, err := get(ctx, g.Client, http.MethodGet, base+p, flavor)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		for _, line := range strings.Split(body, "\n") {
			who, key, found := strings.Cut(strings.TrimSpace(line), ":")
			if found && who == user && strings.TrimSpace(key) != "" {
				keys = append(keys, strings.TrimSpace(key))
			}
		}
	}
	return keys, nil
}
