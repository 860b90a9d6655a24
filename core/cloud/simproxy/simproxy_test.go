package simproxy

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/sshclient"
	"github.com/strata-os/strata/core/sshclient/sshtest"
)

func startProxy(t *testing.T, targets map[string]string) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := Serve(l, func(host string, port int) (string, error) {
		if host == "203.0.113.9" {
			return "", ErrRefused
		}
		if to, ok := targets[net.JoinHostPort(host, strconv.Itoa(port))]; ok {
			return to, nil
		}
		return "", ErrUnreachable
	}, nil)
	t.Cleanup(func() { s.Close() })
	return s
}

// SSH through the proxy, with strata's own dialer (x/net/proxy's SOCKS5
// client): the address is the cloud's, the server on this host.
func TestSSHThroughProxy(t *testing.T) {
	key, err := sshclient.GenerateKey("t")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sshtest.NewServer(sshtest.LocalShell(t.TempDir()), key.Signer.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, map[string]string{"203.0.113.5:22": srv.Addr})
	d, err := sshclient.ProxyDialer(p.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := sshclient.Dial(ctx, "203.0.113.5:22", sshclient.DialOptions{User: "core", Signer: key.Signer, Dialer: d})
	if err != nil {
		t.Fatalf("dial through the proxy: %v", err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.Output("echo through")
	if err != nil || strings.TrimSpace(string(out)) != "through" {
		t.Errorf("command: %q, %v", out, err)
	}

	// Addresses that are no instance's are refused at once, not timed out.
	for _, addr := range []string{"198.51.100.1:22", "203.0.113.9:22", "203.0.113.5:2222"} {
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := d.DialContext(dctx, "tcp", addr)
		timedOut := dctx.Err() != nil
		cancel()
		if err == nil {
			t.Errorf("%s: dialled", addr)
		} else if timedOut {
			t.Errorf("%s: timed out instead of refused: %v", addr, err)
		}
	}
}

// curl is a second, independent SOCKS5 client.
func TestCurlThroughProxy(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			_, _ = c.Write([]byte("HTTP/1.0 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nfrom-g"))
			c.Close()
		}
	}()
	p := startProxy(t, map[string]string{"203.0.113.5:80": l.Addr().String()})
	out, err := exec.Command("curl", "-sS", "--max-time", "10", "--socks5", p.Addr(), "http://203.0.113.5/").CombinedOutput()
	if err != nil || string(out) != "from-g" {
		t.Errorf("curl through the proxy: %q, %v", out, err)
	}
	out, err = exec.Command("curl", "-sS", "--max-time", "10", "--socks5", p.Addr(), "http://198.51.100.1/").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "198.51.100.1. (4)") {
		t.Errorf("curl to an address that is no instance's: %q, %v (want host unreachable)", out, err)
	}
}

// Requests the proxy does not serve get SOCKS's reply codes.
func TestRefusals(t *testing.T) {
	p := startProxy(t, nil)
	for _, tc := range []struct {
		name string
		send []byte
		want []byte // the bytes after the method selection
	}{
		{"bind is not served", []byte{5, 1, 0, 5, 2, 0, 1, 203, 0, 113, 5, 0, 22}, []byte{5, 7}},
		{"unknown address type", []byte{5, 1, 0, 5, 1, 0, 9}, []byte{5, 8}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Write(tc.send); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, 4)
			if _, err := c.Read(got[:2]); err != nil || got[0] != 5 || got[1] != 0 {
				t.Fatalf("method selection: %v, %v", got[:2], err)
			}
			n, err := c.Read(got)
			if err != nil || n < 2 || got[0] != tc.want[0] || got[1] != tc.want[1] {
				t.Errorf("reply %v, %v; want %v", got[:n], err, tc.want)
			}
		})
	}
	// A client that offers only password authentication is told no method.
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, _ = c.Write([]byte{5, 1, 2})
	got := make([]byte, 2)
	if _, err := c.Read(got); err != nil || got[1] != 0xff {
		t.Errorf("password-only client: %v, %v", got, err)
	}
}
