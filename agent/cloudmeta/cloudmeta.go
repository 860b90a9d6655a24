// Package cloudmeta reads what a cloud's metadata service says about the
// machine it runs on — the SSH keys of the account's key pair — and
// installs them for a user, the job Afterburn does on Fedora CoreOS and
// Flatcar. strata's ignition image runs it (as strata-metadata, see
// agent/strata-initrd-bus) on every cloud platform, so a machine launched
// with a key pair and no userdata can still be logged into.
//
// The platform is Ignition's ignition.platform.id from the kernel command
// line. Each cloud is its own Source; a platform without one is told
// apart from a failure (ErrNoSource), so the unit succeeds on qemu and
// metal, where keys come in the Ignition config.
package cloudmeta

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Source is a cloud's metadata service.
type Source interface {
	// SSHKeys are the authorized keys the cloud gives user on the
	// machine (a key pair's on EC2 go to the image's default user).
	SSHKeys(ctx context.Context, user string) ([]string, error)
}

// Reporter is a cloud that waits for the guest to say it is provisioned
// (Azure): the job of Afterburn's checkin on Fedora CoreOS and Flatcar.
type Reporter interface {
	ReportReady(ctx context.Context) error
}

// ErrNoSource is returned for a platform without a metadata service
// strata reads (qemu, metal: keys come in the config).
var ErrNoSource = errors.New("no metadata source for this platform")

// ForPlatform returns the Source of an Ignition platform ID.
func ForPlatform(id string, client *http.Client) (Source, error) {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	switch id {
	case "aws":
		return &EC2{Endpoint: "http://169.254.169.254", Client: client}, nil
	case "gcp":
		return &GCE{Endpoint: "http://169.254.169.254", Client: client}, nil
	case "openstack":
		return &OpenStack{Endpoint: "http://169.254.169.254", Client: client}, nil
	case "digitalocean":
		return &DigitalOcean{Endpoint: "http://169.254.169.254", Client: client}, nil
	case "azure":
		return &Azure{Endpoint: "http://169.254.169.254", WireServer: "http://168.63.129.16", Client: client}, nil
	}
	return nil, fmt.Errorf("platform %q: %w", id, ErrNoSource)
}

// PlatformFromCmdline is ignition.platform.id in a kernel command line,
// or "".
func PlatformFromCmdline(cmdline string) string {
	for _, f := range strings.Fields(cmdline) {
		if v, ok := strings.CutPrefix(f, "ignition.platform.id="); ok {
			return v
		}
	}
	return ""
}

// Retry asks fetch until it answers or ctx ends, pausing interval
// between tries: the network may come up after the agent starts.
func Retry[T any](ctx context.Context, interval time.Duration, fetch func(context.Context) (T, error)) (T, error) {
	for {
		v, err := fetch(ctx)
		if err == nil {
			return v, nil
		}
		var perm *PermanentError
		if errors.As(err, &perm) {
			return v, err
		}
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("%w (last try: %v)", context.Cause(ctx), err)
		case <-time.After(interval):
		}
	}
}

// PermanentError is an answer that asking again will not change (a
// refusal, as opposed to a network not up yet).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// get fetches url with headers; a 404 gives ok false.
func get(ctx context.Context, c *http.Client, method, url string, header map[string]string) (body string, ok bool, err error) {
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		return "", false, &PermanentError{err}
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", false, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", false, fmt.Errorf("%s %s: %w", method, url, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return "", false, nil
	case resp.StatusCode >= 500:
		return "", false, fmt.Errorf("%s %s: %s", method, url, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return "", false, &PermanentError{fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, strings.TrimSpace(string(b)))}
	}
	return string(b), true, nil
}
