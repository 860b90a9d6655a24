// Package api is the only part of strata that imports govmomi, VMware's
// Go client for vSphere: a small client over a datacenter's virtual
// machines, datastore files and OVA imports for the esx provider and ore.
package api

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Options configure a Client.
type Options struct {
	// Server is vCenter's or ESXi's URL (https://HOST or https://HOST/sdk).
	Server         string
	User, Password string
	// CAFile, if set, holds the PEM certificates the server's is checked
	// against (else the system's); Insecure skips the check.
	CAFile   string
	Insecure bool
	// MaxRetries, RetryWaitMin and RetryWaitMax tune the retries of
	// transient failures (defaults: 8, 1 s, 30 s).
	MaxRetries                 int
	RetryWaitMin, RetryWaitMax time.Duration
	// Where machines go: a datacenter, and in it a resource pool,
	// datastore, folder and network (each by path or name; empty for the
	// only or default one).
	Datacenter, ResourcePool, Datastore, Folder, Network string
}

// Client is one vSphere session on one datacenter.
type Client struct {
	opts Options
	vim  *vim25.Client
	sm   *session.Manager
	find *find.Finder
	dc   *object.Datacenter
}

// New signs in and finds the datacenter.
func New(ctx context.Context, o Options) (*Client, error) {
	u, err := soap.ParseURL(o.Server)
	if err != nil || u == nil {
		return nil, fmt.Errorf("server %q is not a URL", o.Server)
	}
	sc := soap.NewClient(u, o.Insecure)
	if o.CAFile != "" {
		if err := sc.SetRootCAs(o.CAFile); err != nil {
			return nil, fmt.Errorf("CA file %s: %w", o.CAFile, err)
		}
	}
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, wrap("connect to "+u.Host, err)
	}
	vc.UserAgent = "strata"
	if o.MaxRetries == 0 {
		o.MaxRetries = 8
	}
	if o.RetryWaitMin == 0 {
		o.RetryWaitMin = time.Second
	}
	if o.RetryWaitMax == 0 {
		o.RetryWaitMax = 30 * time.Second
	}
	vc.RoundTripper = &retrying{rt: vc.RoundTripper, max: o.MaxRetries, min: o.RetryWaitMin, cap: o.RetryWaitMax}
	sm := session.NewManager(vc)
	if err := sm.Login(ctx, url.UserPassword(o.User, o.Password)); err != nil {
		return nil, wrap("sign in to "+u.Host+" as "+o.User, err)
	}
	c := &Client{opts: o, vim: vc, sm: sm, find: find.NewFinder(vc, true)}
	if c.dc, err = c.find.DatacenterOrDefault(ctx, o.Datacenter); err != nil {
		c.Close(ctx)
		return nil, &Error{Op: "find datacenter " + quoteOrDefault(o.Datacenter), Fault: "NotFound", Message: err.Error(), err: err}
	}
	c.find.SetDatacenter(c.dc)
	return c, nil
}

func quoteOrDefault(s string) string {
	if s == "" {
		return "(the default)"
	}
	return fmt.Sprintf("%q", s)
}

// Close ends the session.
func (c *Client) Close(ctx context.Context) {
	_ = c.sm.Logout(ctx)
}

// Vim is the underlying client, for the few callers that need it.
func (c *Client) Vim() *vim25.Client { return c.vim }

// Error is a call vSphere refused or failed: what was asked, and the
// fault's kind and message.
type Error struct {
	Op, Fault, Message string
	err                error
}

func (e *Error) Error() string {
	if e.Fault == "" {
		return fmt.Sprintf("%s: %v", e.Op, e.err)
	}
	return fmt.Sprintf("%s: %s: %s", e.Op, e.Fault, e.Message)
}

func (e *Error) Unwrap() error { return e.err }

// wrap names a vSphere fault: a SOAP fault's type (NotFound,
// InvalidLogin, DuplicateName, ...) and message, or a task's.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Op: op, err: err}
	var te task
	switch {
	case soap.IsSoapFault(err):
		f := soap.ToSoapFault(err)
		e.Fault, e.Message = faultName(f.VimFault()), f.String
	case soap.IsVimFault(err):
		e.Fault, e.Message = faultName(soap.ToVimFault(err)), err.Error()
	case errors.As(err, &te):
		e.Fault, e.Message = faultName(te.Fault()), te.Error()
	}
	return e
}

type task interface {
	error
	Fault() types.BaseMethodFault
}

func faultName(f any) string {
	if f == nil {
		return "Fault"
	}
	return strings.TrimPrefix(strings.TrimPrefix(fmt.Sprintf("%T", f), "*"), "types.")
}

// Fault returns the fault kind of err ("" if it is not vSphere's).
func Fault(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fault
	}
	return ""
}

// IsNotFound reports whether vSphere said the thing is not there.
func IsNotFound(err error) bool {
	switch Fault(err) {
	case "NotFound", "ManagedObjectNotFound", "FileNotFound":
		return true
	}
	return false
}

// IsTerminal reports whether vSphere refused the call for good: a fault
// that is not a transient one.
func IsTerminal(err error) bool {
	switch Fault(err) {
	case "", "HostCommunication", "SystemError", "TaskInProgress", "RequestCanceled":
		return false
	}
	return true
}
