package sshclient

import (
	"context"
	"fmt"
	"net"
	"net/url"

	"golang.org/x/net/proxy"
)

// ContextDialer opens the TCP connection SSH runs over: a net.Dialer, or
// a proxy's (ProxyDialer).
type ContextDialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// ProxyDialer is a dialer through the SOCKS5 proxy at raw
// (socks5://[user:password@]host:port; socks5h:// lets the proxy resolve
// names): machines reached through a bastion's `ssh -D`, a CI network's
// egress proxy, or a simulated cloud's (ore … simulate --boot).
func ProxyDialer(raw string) (ContextDialer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("SSH proxy %q: %w", raw, err)
	}
	switch u.Scheme {
	case "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("SSH proxy %q: want socks5://HOST:PORT (or socks5h://), not scheme %q", redacted(u), u.Scheme)
	}
	if u.Port() == "" {
		return nil, fmt.Errorf("SSH proxy %q: no port", redacted(u))
	}
	d, err := proxy.FromURL(u, &net.Dialer{})
	if err != nil {
		return nil, fmt.Errorf("SSH proxy %q: %w", redacted(u), err)
	}
	cd, ok := d.(proxy.ContextDialer)
	if !ok {
		return nil, fmt.Errorf("SSH proxy %q: its dialer cannot be cancelled", redacted(u))
	}
	return cd, nil
}

// redacted is the URL without its password, for messages.
func redacted(u *url.URL) string { return u.Redacted() }
