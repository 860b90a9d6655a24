// Package api is the only part of strata that imports gophercloud,
// OpenStack's Go SDK: a small client over Nova servers, key pairs and
// flavors, Glance images and Neutron ports, security groups and floating
// IPs, for the openstack provider and ore. It retries what is safe to
// retry — reads, deletes, token creates and throttled calls — and makes
// every create safe to retry by finding what a create whose answer was
// lost made before it makes another.
package api

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/strata-os/strata/core/cloud"
)

// Options configure a Client.
type Options struct {
	// Auth is how to sign in (Keystone v3: password or application
	// credential); its secrets go into the token request only.
	Auth gophercloud.AuthOptions
	// Region and Interface ("public", "internal" or "admin") choose the
	// endpoints from the catalog.
	Region, Interface string
	// TLS, if set, is the TLS configuration (a CA bundle, client
	// certificates) of clouds.yaml.
	TLS *tls.Config
	// MaxRetries, RetryWaitMin and RetryWaitMax tune the retries of
	// throttled (429) and failed (5xx) calls (defaults: 8, 1 s, 30 s).
	MaxRetries                 int
	RetryWaitMin, RetryWaitMax time.Duration
}

// Client is one OpenStack project, signed in.
type Client struct {
	opts                    Options
	compute, image, network *gophercloud.ServiceClient
}

// New signs in and finds the services' endpoints in the catalog.
func New(ctx context.Context, o Options) (*Client, error) {
	if o.MaxRetries == 0 {
		o.MaxRetries = 8
	}
	if o.RetryWaitMin == 0 {
		o.RetryWaitMin = time.Second
	}
	if o.RetryWaitMax == 0 {
		o.RetryWaitMax = 30 * time.Second
	}
	pc, err := openstack.NewClient(o.Auth.IdentityEndpoint)
	if err != nil {
		return nil, fmt.Errorf("identity endpoint %q: %w", o.Auth.IdentityEndpoint, err)
	}
	if o.TLS != nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = o.TLS
		pc.HTTPClient = http.Client{Transport: tr}
	}
	pc.UserAgent.Prepend("strata")
	c := &Client{opts: o}
	pc.RetryFunc = c.retry
	pc.RetryBackoffFunc = c.backoff
	pc.MaxBackoffRetries = uint(o.MaxRetries)
	auth := o.Auth
	auth.AllowReauth = true // a token that lapses mid-run is renewed
	if err := openstack.Authenticate(ctx, pc, auth); err != nil {
		return nil, wrap("sign in at "+o.Auth.IdentityEndpoint, err)
	}
	eo := gophercloud.EndpointOpts{Region: o.Region}
	switch o.Interface {
	case "", "public", "publicURL":
		eo.Availability = gophercloud.AvailabilityPublic
	case "internal", "internalURL":
		eo.Availability = gophercloud.AvailabilityInternal
	case "admin", "adminURL":
		eo.Availability = gophercloud.AvailabilityAdmin
	default:
		return nil, fmt.Errorf("interface %q is not public, internal or admin", o.Interface)
	}
	where := fmt.Sprintf("region %q, interface %s", o.Region, eo.Availability)
	if o.Region == "" {
		where = fmt.Sprintf("any region, interface %s", eo.Availability)
	}
	if c.compute, err = openstack.NewComputeV2(pc, eo); err != nil {
		return nil, fmt.Errorf("compute (Nova) in the catalog (%s): %w", where, err)
	}
	if c.image, err = openstack.NewImageV2(pc, eo); err != nil {
		return nil, fmt.Errorf("image (Glance) in the catalog (%s): %w", where, err)
	}
	if c.network, err = openstack.NewNetworkV2(pc, eo); err != nil {
		return nil, fmt.Errorf("network (Neutron) in the catalog (%s): %w", where, err)
	}
	return c, nil
}

// safeToRepeat says whether a call may be sent again after a failure
// whose effect is unknown: reads, deletes (a second gets a 404, which the
// callers take as done), token creates and server actions (the console
// log). Other creates recover by looking first (see create).
func safeToRepeat(method, url string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete:
		return true
	case http.MethodPost:
		return strings.HasSuffix(url, "/auth/tokens") || strings.HasSuffix(url, "/action")
	}
	return false
}

// retry is gophercloud's RetryFunc: another try (after a wait) for a
// transient failure of a call safe to repeat, else the error.
func (c *Client) retry(ctx context.Context, method, url string, _ *gophercloud.RequestOpts, err error, failCount uint) error {
	if int(failCount) > c.opts.MaxRetries || !safeToRepeat(method, url) || !transient(err) || ctx.Err() != nil {
		return err
	}
	return c.wait(ctx, int(failCount), 0, err)
}

// backoff is gophercloud's RetryBackoffFunc for 429s: it waits as long as
// Retry-After says (within RetryWaitMax), then the call is sent again.
// Throttled calls were refused, so any call may be.
func (c *Client) backoff(ctx context.Context, resp *gophercloud.ErrUnexpectedResponseCode, err error, failCount uint) error {
	if err == nil {
		err = resp
	}
	var after time.Duration
	if s, perr := strconv.Atoi(resp.ResponseHeader.Get("Retry-After")); perr == nil && s > 0 {
		after = time.Duration(s) * time.Second
	}
	return c.wait(ctx, int(failCount), after, err)
}

// wait sleeps before try n+1: exponential from RetryWaitMin with jitter,
// at least after, at most RetryWaitMax.
func (c *Client) wait(ctx context.Context, n int, after time.Duration, err error) error {
	d := c.opts.RetryWaitMin << min(n, 20)
	d = d/2 + rand.N(d/2+1)
	d = min(max(d, after), c.opts.RetryWaitMax)
	select {
	case <-ctx.Done():
		return errors.Join(err, context.Cause(ctx))
	case <-time.After(d):
		return nil
	}
}

// transient says whether an error may go away by itself: a 5xx (but
// 501), a 429, or no answer at all.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ue gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &ue) {
		return ue.Actual == http.StatusTooManyRequests || (ue.Actual >= 500 && ue.Actual != http.StatusNotImplemented)
	}
	var pue *gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &pue) {
		return pue.Actual == http.StatusTooManyRequests || (pue.Actual >= 500 && pue.Actual != http.StatusNotImplemented)
	}
	return true
}

// Error is a call the API refused or failed (see cloud.HTTPError).
type Error = cloud.HTTPError

// wrap makes a gophercloud error an *Error with the service's own
// message, whichever service's form it came in.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ue gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &ue) {
		return &Error{Op: op, Status: ue.Actual, Message: message(ue.Body), Err: err}
	}
	var pue *gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &pue) {
		return &Error{Op: op, Status: pue.Actual, Message: message(pue.Body), Err: err}
	}
	return &Error{Op: op, Err: err}
}

// message reads the message of an error body: Nova's {"itemNotFound":
// {"message"}}, Neutron's {"NeutronError": {"message"}}, Keystone's
// {"error": {"message"}}, or Glance's plain text.
func message(body []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) == nil && len(m) == 1 {
		for _, v := range m {
			var inner struct {
				Message string `json:"message"`
			}
			if json.Unmarshal(v, &inner) == nil && inner.Message != "" {
				return inner.Message
			}
		}
	}
	var lines []string
	for l := range strings.SplitSeq(string(body), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	switch {
	case len(lines) == 0:
		return "(no message)"
	case len(lines) > 1 && statusLine.MatchString(lines[0]):
		// Glance's "404 Not Found" heading, then the message.
		return strings.Join(lines[1:], " ")
	}
	return strings.Join(lines, " ")
}

// statusLine is the heading of Glance's plain-text errors.
var statusLine = regexp.MustCompile(`^[1-5][0-9][0-9] `)

// IsNotFound reports whether OpenStack said the thing is not there.
func IsNotFound(err error) bool { return cloud.HTTPStatus(err) == http.StatusNotFound }

// IsTerminal reports whether OpenStack refused the call for good (a 4xx
// other than throttling).
func IsTerminal(err error) bool { return cloud.RefusedForGood(cloud.HTTPStatus(err)) }

// gone makes a delete's 404 a success: the thing is gone, perhaps by a
// retry of a delete whose first answer was lost.
func gone(err error) error {
	if IsNotFound(err) {
		return nil
	}
	return err
}

// create makes a thing with a call that is not safe to repeat: after a
// failure it looks for what the call may have made anyway (find), and
// only then calls again, while the failure is transient.
func create[T any](ctx context.Context, c *Client, op string, make func() (T, error), find func() (T, bool, error)) (T, error) {
	var zero T
	for n := 0; ; n++ {
		v, err := make()
		if err == nil {
			return v, nil
		}
		err = wrap(op, err)
		if !IsTerminal(err) || cloud.HTTPStatus(err) == http.StatusConflict {
			if found, ok, ferr := find(); ferr == nil && ok {
				return found, nil
			}
		}
		if IsTerminal(err) || n >= c.opts.MaxRetries || ctx.Err() != nil {
			return zero, err
		}
		if werr := c.wait(ctx, n, 0, err); werr != nil {
			return zero, werr
		}
	}
}

// all pages through a list.
func all[T any](ctx context.Context, op string, pager pagination.Pager, extract func(pagination.Page) ([]T, error)) ([]T, error) {
	var out []T
	err := pager.EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		items, err := extract(p)
		if err != nil {
			return false, err
		}
		out = append(out, items...)
		return true, nil
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}
