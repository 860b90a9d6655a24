// Package api is the only package of the gce provider that imports Google's
// API client: the Compute Engine and Cloud Storage calls kola and ore make,
// each under a deadline, retried with backoff on throttling and server
// errors (the generated clients retry only media uploads), with errors
// sorted into not-found, terminal and retryable ones, and waiting on the
// operations Compute Engine answers changes with.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/compute/v1"
	"google.golang.org/api/option"
	"google.golang.org/api/storage/v1"
)

// Options say which project and zone to talk to, and how.
type Options struct {
	Project, Zone string
	// CredentialsJSON is a service account key or an authorized user's
	// credentials, of CredentialsType ("service_account",
	// "authorized_user"); nil means application default credentials,
	// or none at all when Endpoint is set (a simulator).
	CredentialsJSON []byte
	CredentialsType string
	// Endpoint replaces Google's: Compute Engine is reached at
	// Endpoint/compute/v1/ and Cloud Storage at Endpoint/storage/v1/.
	Endpoint string
	// CallTimeout bounds each call, retries included (default 2 minutes).
	CallTimeout time.Duration
	// MaxAttempts per call (default 10) and MaxBackoff between them
	// (default 5s).
	MaxAttempts int
	MaxBackoff  time.Duration
	Logger      *slog.Logger
}

// Client is Compute Engine in one project and zone, and Cloud Storage.
type Client struct {
	compute *compute.Service
	storage *storage.Service
	project string
	zone    string
	opts    Options
	log     *slog.Logger
}

// New returns a client. It makes no call, except that application
// default credentials are looked for.
func New(ctx context.Context, o Options) (*Client, error) {
	if o.CallTimeout <= 0 {
		o.CallTimeout = 2 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	var common []option.ClientOption
	switch {
	case o.CredentialsJSON != nil:
		common = append(common, option.WithAuthCredentialsJSON(option.CredentialsType(o.CredentialsType), o.CredentialsJSON))
	case o.Endpoint != "":
		common = append(common, option.WithoutAuthentication())
	}
	endpoint := func(path string) []option.ClientOption {
		if o.Endpoint == "" {
			return common
		}
		return append(common[:len(common):len(common)], option.WithEndpoint(strings.TrimSuffix(o.Endpoint, "/")+path))
	}
	cs, err := compute.NewService(ctx, append(endpoint("/compute/v1/"), option.WithScopes(compute.ComputeScope))...)
	if err != nil {
		return nil, credentialsHint(fmt.Errorf("compute engine client: %w", err))
	}
	ss, err := storage.NewService(ctx, append(endpoint("/storage/v1/"), option.WithScopes(storage.DevstorageReadWriteScope))...)
	if err != nil {
		return nil, credentialsHint(fmt.Errorf("cloud storage client: %w", err))
	}
	return &Client{compute: cs, storage: ss, project: o.Project, zone: o.Zone, opts: o, log: o.Logger}, nil
}

// credentialsHint says where credentials come from when none were found.
func credentialsHint(err error) error {
	if strings.Contains(err.Error(), "could not find default credentials") {
		return fmt.Errorf("%w (pass --gce-json-key FILE, set GOOGLE_APPLICATION_CREDENTIALS, or run `gcloud auth application-default login`)", err)
	}
	return err
}

// Project is the client's project; Zone its zone.
func (c *Client) Project() string { return c.project }
func (c *Client) Zone() string    { return c.zone }

// do runs one call under the call deadline, trying again with backoff
// while the error is retryable, and classifies what is left.
func (c *Client) do(ctx context.Context, op, kind, id string, call func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.CallTimeout)
	defer cancel()
	attempts := 0
	err := gax.Invoke(ctx, func(ctx context.Context, _ gax.CallSettings) error {
		attempts++
		return call(ctx)
	}, gax.WithRetry(func() gax.Retryer {
		bo := gax.Backoff{Initial: c.opts.MaxBackoff / 50, Max: c.opts.MaxBackoff, Multiplier: 2}
		return gax.OnErrorFunc(bo, func(err error) bool {
			if attempts >= c.opts.MaxAttempts || !retryable(err) {
				return false
			}
			c.log.Debug("gce call failed; trying again", "op", op, "attempt", attempts, "err", err)
			return true
		})
	}))
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		return fmt.Errorf("%s: no answer within %v (%d attempts): %w", op, c.opts.CallTimeout, attempts, err)
	}
	return classify(op, kind, id, err)
}
