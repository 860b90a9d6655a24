// Package api is the only part of strata that imports packngo, the Go
// client of the Equinix Metal API: a small client over a project's
// devices and SSH keys for the packet provider and ore. packngo takes no
// context and retries nothing, so every call goes through a transport of
// ours that binds the caller's context, retries throttled and failed
// calls that are safe to repeat, and adds the API key — packngo itself
// holds a placeholder, so its PACKNGO_DEBUG dumps never show the key.
package api

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/packethost/packngo"
	"github.com/strata-os/strata/core/cloud"
)

// Options configure a Client.
type Options struct {
	APIKey, Project string
	// Endpoint is the API's base URL instead of Equinix's (a compatible
	// deployment or a simulator), ending in /metal/v1/.
	Endpoint string
	// MaxRetries, RetryWaitMin and RetryWaitMax tune the retries of
	// throttled (429) and failed (5xx) calls (defaults: 8, 1 s, 30 s).
	MaxRetries                 int
	RetryWaitMin, RetryWaitMax time.Duration
}

// Client is one project.
type Client struct {
	opts Options
}

// New returns a client. It makes no call.
func New(o Options) (*Client, error) {
	if o.APIKey == "" {
		return nil, errors.New("no API key")
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
	if o.Endpoint != "" && !strings.HasSuffix(o.Endpoint, "/") {
		o.Endpoint += "/"
	}
	return &Client{opts: o}, nil
}

// keyPlaceholder is the key packngo holds: the transport puts the real
// one on the wire.
const keyPlaceholder = "set-by-strata-transport"

// sdk is packngo bound to ctx for one call: retrying says whether the
// call may be sent again after a failure whose effect is unknown.
func (c *Client) sdk(ctx context.Context, retrying bool) *packngo.Client {
	hc := &http.Client{Transport: &transport{ctx: ctx, c: c, retrying: retrying}}
	opts := []packngo.ClientOpt{packngo.WithAuth("strata", keyPlaceholder), packngo.WithHTTPClient(hc)}
	if c.opts.Endpoint != "" {
		opts = append(opts, packngo.WithBaseURL(c.opts.Endpoint))
	}
	p, err := packngo.NewClient(opts...)
	if err != nil {
		// Only a base URL that does not parse fails, which Connect checks.
		panic(fmt.Sprintf("packngo client: %v", err))
	}
	p.UserAgent = "strata " + p.UserAgent
	return p
}

// transport sends a call with the caller's context and the API key,
// again after a 429 (which the API refused, so any call may be) and,
// when retrying, after a 5xx or no answer.
type transport struct {
	ctx      context.Context
	c        *Client
	retrying bool
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(t.ctx)
	req.Header.Set("X-Auth-Token", t.c.opts.APIKey)
	for n := 0; ; n++ {
		if req.GetBody != nil && n > 0 {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req.Body = body
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		again := false
		var after time.Duration
		switch {
		case err != nil:
			again = t.retrying && t.ctx.Err() == nil
		case resp.StatusCode == http.StatusTooManyRequests:
			again = true
			if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil {
				after = time.Duration(s) * time.Second
			}
		case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
			again = t.retrying
		}
		if !again || n >= t.c.opts.MaxRetries {
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		if werr := t.c.wait(t.ctx, n, after); werr != nil {
			return nil, werr
		}
	}
}

// wait sleeps before try n+1: exponential from RetryWaitMin with jitter,
// at least after, at most RetryWaitMax.
func (c *Client) wait(ctx context.Context, n int, after time.Duration) error {
	d := c.opts.RetryWaitMin << min(n, 20)
	d = d/2 + rand.N(d/2+1)
	d = min(max(d, after), c.opts.RetryWaitMax)
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-time.After(d):
		return nil
	}
}

// Error is a call the API refused or failed (see cloud.HTTPError).
type Error = cloud.HTTPError

func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var er *packngo.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		msg := strings.Join(er.Errors, "; ")
		if er.SingleError != "" {
			msg = strings.TrimPrefix(msg+"; "+er.SingleError, "; ")
		}
		return &Error{Op: op, Status: er.Response.StatusCode, Message: msg, Err: err}
	}
	return &Error{Op: op, Err: err}
}

// IsNotFound reports whether the API said the thing is not there.
func IsNotFound(err error) bool { return cloud.HTTPStatus(err) == http.StatusNotFound }

// IsTerminal reports whether the API refused the call for good (a 4xx
// other than throttling).
func IsTerminal(err error) bool { return cloud.RefusedForGood(cloud.HTTPStatus(err)) }

// Project is the ID of the client's project.
func (c *Client) Project() string { return c.opts.Project }

// CheckProject reads the project, to find a wrong ID or key before
// anything is made.
func (c *Client) CheckProject(ctx context.Context) error {
	_, _, err := c.sdk(ctx, true).Projects.Get(c.opts.Project, nil)
	return wrap("read project "+c.opts.Project, err)
}
