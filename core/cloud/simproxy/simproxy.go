// Package simproxy is the SOCKS5 proxy in front of a simulated cloud's
// booting instances (cloud-in-a-box). A simulated instance's public
// address is the cloud's kind of address (203.0.113.x, not this host's),
// and its SSH port is QEMU's forward on 127.0.0.1: kola dials the address
// the cloud API gave, port 22, through this proxy (--ssh-proxy), which
// connects to whatever the simulator says is behind it. The provider's
// code path is the one it runs against the real cloud; only the dialer
// differs, as it would behind a bastion.
//
// It speaks RFC 1928's CONNECT without authentication, which is what
// SSH clients need (golang.org/x/net/proxy, ssh -o ProxyCommand='nc -X 5
// …', curl --socks5).
package simproxy

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"
)

// Resolver says where a target (an instance's address and port) is on
// this host. An error is the reason the proxy refuses the connection,
// logged; ErrUnreachable and ErrRefused pick SOCKS's reply code.
type Resolver func(host string, port int) (string, error)

// Typed refusals: a target that is no instance's address (host
// unreachable) and one whose instance is not running or not listening
// on that port (connection refused).
var (
	ErrUnreachable = errors.New("no such address")
	ErrRefused     = errors.New("nothing listens there")
)

// Server is a running proxy.
type Server struct {
	l       net.Listener
	resolve Resolver
	log     *slog.Logger
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]bool
}

// Serve starts a proxy on l.
func Serve(l net.Listener, resolve Resolver, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{l: l, resolve: resolve, log: log, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.accept()
	return s
}

// Addr is where the proxy listens.
func (s *Server) Addr() string { return s.l.Addr().String() }

// URL is the proxy as kola's --ssh-proxy takes it.
func (s *Server) URL() string { return "socks5://" + s.Addr() }

// Close stops listening and ends every connection.
func (s *Server) Close() error {
	err := s.l.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return err
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		s.track(c, true)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.track(c, false)
			defer c.Close()
			if err := s.serve(c); err != nil {
				s.log.Info("socks connection refused", "client", c.RemoteAddr().String(), "err", err)
			}
		}()
	}
}

func (s *Server) track(c net.Conn, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.conns[c] = true
	} else {
		delete(s.conns, c)
	}
}

// SOCKS5 reply codes (RFC 1928 §6).
const (
	replyOK          = 0x00
	replyFailure     = 0x01
	replyUnreachable = 0x04
	replyRefused     = 0x05
	replyCommand     = 0x07
	replyAddrType    = 0x08
)

// handshakeTimeout bounds a client's greeting and request.
const handshakeTimeout = 10 * time.Second

func (s *Server) serve(c net.Conn) error {
	_ = c.SetDeadline(time.Now().Add(handshakeTimeout))
	host, port, err := readRequest(c)
	if err != nil {
		var re *requestError
		if errors.As(err, &re) {
			_ = reply(c, re.code)
		}
		return err
	}
	target, err := s.resolve(host, port)
	if err != nil {
		code := byte(replyFailure)
		switch {
		case errors.Is(err, ErrUnreachable):
			code = replyUnreachable
		case errors.Is(err, ErrRefused):
			code = replyRefused
		}
		_ = reply(c, code)
		return fmt.Errorf("%s: %w", net.JoinHostPort(host, strconv.Itoa(port)), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	var d net.Dialer
	up, err := d.DialContext(ctx, "tcp", target)
	cancel()
	if err != nil {
		_ = reply(c, replyRefused)
		return fmt.Errorf("%s (at %s): %w", net.JoinHostPort(host, strconv.Itoa(port)), target, err)
	}
	defer up.Close()
	s.track(up, true)
	defer s.track(up, false)
	if err := reply(c, replyOK); err != nil {
		return err
	}
	_ = c.SetDeadline(time.Time{})
	done := make(chan struct{})
	go func() {
		_, _ = io.Copy(up, c)
		if t, ok := up.(*net.TCPConn); ok {
			_ = t.CloseWrite()
		}
		close(done)
	}()
	_, _ = io.Copy(c, up)
	if t, ok := c.(*net.TCPConn); ok {
		_ = t.CloseWrite()
	}
	<-done
	return nil
}

type requestError struct {
	code byte
	msg  string
}

func (e *requestError) Error() string { return e.msg }

// readRequest reads the greeting (no authentication is offered) and a
// CONNECT request, and returns its target.
func readRequest(c net.Conn) (string, int, error) {
	var head [2]byte
	if _, err := io.ReadFull(c, head[:]); err != nil {
		return "", 0, fmt.Errorf("greeting: %w", err)
	}
	if head[0] != 5 {
		return "", 0, fmt.Errorf("greeting: SOCKS version %d, want 5", head[0])
	}
	methods := make([]byte, head[1])
	if _, err := io.ReadFull(c, methods); err != nil {
		return "", 0, fmt.Errorf("greeting: %w", err)
	}
	noAuth := false
	for _, m := range methods {
		noAuth = noAuth || m == 0
	}
	if !noAuth {
		_, _ = c.Write([]byte{5, 0xff})
		return "", 0, errors.New("greeting: the client offers no method without authentication")
	}
	if _, err := c.Write([]byte{5, 0}); err != nil {
		return "", 0, err
	}
	var req [4]byte
	if _, err := io.ReadFull(c, req[:]); err != nil {
		return "", 0, fmt.Errorf("request: %w", err)
	}
	if req[0] != 5 {
		return "", 0, fmt.Errorf("request: SOCKS version %d, want 5", req[0])
	}
	var host string
	switch req[3] {
	case 1:
		var a [4]byte
		if _, err := io.ReadFull(c, a[:]); err != nil {
			return "", 0, fmt.Errorf("request: %w", err)
		}
		host = net.IP(a[:]).String()
	case 4:
		var a [16]byte
		if _, err := io.ReadFull(c, a[:]); err != nil {
			return "", 0, fmt.Errorf("request: %w", err)
		}
		host = net.IP(a[:]).String()
	case 3:
		var n [1]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return "", 0, fmt.Errorf("request: %w", err)
		}
		name := make([]byte, n[0])
		if _, err := io.ReadFull(c, name); err != nil {
			return "", 0, fmt.Errorf("request: %w", err)
		}
		host = string(name)
	default:
		return "", 0, &requestError{replyAddrType, fmt.Sprintf("request: address type %d", req[3])}
	}
	var p [2]byte
	if _, err := io.ReadFull(c, p[:]); err != nil {
		return "", 0, fmt.Errorf("request: %w", err)
	}
	if req[1] != 1 {
		return "", 0, &requestError{replyCommand, fmt.Sprintf("request: command %d to %s: only CONNECT (1) is served", req[1], host)}
	}
	return host, int(binary.BigEndian.Uint16(p[:])), nil
}

// reply answers a request; the bound address is left zero, which SSH
// clients do not read.
func reply(c net.Conn, code byte) error {
	_, err := c.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0})
	return err
}
