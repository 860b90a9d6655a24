// Package api is the only part of strata that imports godo,
// DigitalOcean's Go client: a small client over droplets, SSH keys and
// images for the do provider and ore, with godo's retries of throttled
// and failed calls.
package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/digitalocean/godo"
	"github.com/strata-os/strata/core/cloud"
	"golang.org/x/oauth2"
)

// Options configure a Client.
type Options struct {
	Token string
	// Endpoint is the API's URL instead of DigitalOcean's (a simulator).
	Endpoint string
	// MaxRetries, RetryWaitMin and RetryWaitMax tune the retries of
	// throttled (429) and failed (5xx) calls (defaults: 8, 1 s, 30 s).
	MaxRetries                 int
	RetryWaitMin, RetryWaitMax time.Duration
}

// Client is one DigitalOcean account.
type Client struct {
	opts Options
	godo *godo.Client
	// once makes each call once: a droplet create is not retried
	// blindly (DigitalOcean may have made the droplet before its answer
	// was lost), but by CreateDroplet, which looks first.
	once *godo.Client
}

// New returns a client. It makes no call.
func New(o Options) (*Client, error) {
	if o.Token == "" {
		return nil, errors.New("no token")
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 8
	}
	if o.RetryWaitMin == 0 {
		o.RetryWaitMin = time.Second
	}
	if o.RetryWaitMax == 0 {
		o.RetryWaitMax = 30 * time.Second
	}
	// godo's retrying client keeps only the oauth2 transport of the
	// client it is given, so the token goes in through one.
	hc := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: o.Token}))
	wmin, wmax := o.RetryWaitMin.Seconds(), o.RetryWaitMax.Seconds()
	opts := []godo.ClientOpt{godo.SetUserAgent("strata")}
	if o.Endpoint != "" {
		opts = append(opts, godo.SetBaseURL(o.Endpoint))
	}
	once, err := godo.New(hc, opts...)
	if err != nil {
		return nil, fmt.Errorf("digitalocean client: %w", err)
	}
	retrying := append(opts, godo.WithRetryAndBackoffs(godo.RetryConfig{RetryMax: o.MaxRetries, RetryWaitMin: &wmin, RetryWaitMax: &wmax}))
	hc = oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(&oauth2.Token{AccessToken: o.Token}))
	c, err := godo.New(hc, retrying...)
	if err != nil {
		return nil, fmt.Errorf("digitalocean client: %w", err)
	}
	return &Client{opts: o, godo: c, once: once}, nil
}

// Error is a call the API refused or failed (see cloud.HTTPError).
type Error = cloud.HTTPError

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var er *godo.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return &Error{Op: op, Status: er.Response.StatusCode, Message: er.Message, Err: err}
	}
	return &Error{Op: op, Err: err}
}

// IsNotFound reports whether DigitalOcean said the thing is not there.
func IsNotFound(err error) bool { return cloud.HTTPStatus(err) == http.StatusNotFound }

// IsTerminal reports whether DigitalOcean refused the call for good (a
// 4xx other than throttling, which godo retries first).
func IsTerminal(err error) bool { return cloud.RefusedForGood(cloud.HTTPStatus(err)) }

// perPage is DigitalOcean's largest page.
const perPage = 200

// all pages through a list.
func all[T any](ctx context.Context, op string, list func(*godo.ListOptions) ([]T, *godo.Response, error)) ([]T, error) {
	var out []T
	opt := &godo.ListOptions{Page: 1, PerPage: perPage}
	for {
		items, resp, err := list(opt)
		if err != nil {
			return nil, wrap(op, err)
		}
		out = append(out, items...)
		if resp == nil || resp.Links == nil || resp.Links.IsLastPage() {
			return out, nil
		}
		page, err := resp.Links.CurrentPage()
		if err != nil {
			return nil, wrap(op, err)
		}
		opt.Page = page + 1
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
}
