// Package sshtest runs an in-process SSH server on loopback, built on
// golang.org/x/crypto/ssh, for tests: the client side under test speaks
// real SSH (handshake, public-key auth, sessions, exit status, signals,
// PTYs) while a Go function plays the remote machine's shell.
package sshtest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"golang.org/x/crypto/ssh"
)

// Exec is one command (or, with Command empty, an interactive shell) that
// the server asks the Handler to run.
type Exec struct {
	Context context.Context // cancelled when the client signals or disconnects
	User    string
	Command string
	PTY     bool
	Stdin   io.Reader
	Stdout  io.Writer
	Stderr  io.Writer
}

// Handler runs an Exec and returns its exit status.
type Handler func(e *Exec) int

// Server is a running SSH server.
type Server struct {
	Addr string

	handler    Handler
	config     *ssh.ServerConfig
	mu         sync.Mutex
	listener   net.Listener
	conns      map[net.Conn]bool
	authorized map[string]bool
	wg         sync.WaitGroup
	closed     bool
}

// NewServer listens on 127.0.0.1 at a free port and accepts the given keys.
func NewServer(handler Handler, authorized ...ssh.PublicKey) (*Server, error) {
	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	hostKey, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		return nil, err
	}
	s := &Server{handler: handler, conns: map[net.Conn]bool{}, authorized: map[string]bool{}}
	for _, k := range authorized {
		s.authorized[string(k.Marshal())] = true
	}
	s.config = &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.authorized[string(key.Marshal())] {
				return &ssh.Permissions{}, nil
			}
			return nil, errors.New("key not authorized")
		},
	}
	s.config.AddHostKey(hostKey)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sshtest listen: %w", err)
	}
	s.Addr = l.Addr().String() // fixed for life, so Up can come back on it
	s.serveListener(l)
	return s, nil
}

// Authorize adds a key, as cloud-init would after sshd started.
func (s *Server) Authorize(k ssh.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authorized[string(k.Marshal())] = true
}

func (s *Server) serveListener(l net.Listener) {
	s.mu.Lock()
	s.listener = l
	s.mu.Unlock()
	s.wg.Add(1)
	go s.accept(l)
}

// Down stops listening and drops every connection, as a machine going down
// for a reboot does; Up listens again on the same address.
func (s *Server) Down() {
	s.mu.Lock()
	l := s.listener
	s.listener = nil
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	if l != nil {
		l.Close()
	}
}

// Freeze makes the connections open now go silent for good without
// closing, as a machine that reboots or dies behind QEMU's user network
// does: the host's end of each TCP connection stays open and nothing
// comes back. Later connections work as before.
func (s *Server) Freeze() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.(*freezableConn).freeze()
	}
}

// freezableConn stops moving bytes once frozen; Close still closes it.
type freezableConn struct {
	net.Conn
	frozen    chan struct{}
	closed    chan struct{}
	closeOnce sync.Once
	freezeOne sync.Once
}

func newFreezableConn(c net.Conn) *freezableConn {
	return &freezableConn{Conn: c, frozen: make(chan struct{}), closed: make(chan struct{})}
}

func (c *freezableConn) freeze() { c.freezeOne.Do(func() { close(c.frozen) }) }

func (c *freezableConn) silent() bool {
	select {
	case <-c.frozen:
		return true
	default:
		return false
	}
}

// Read drops what arrives once frozen and waits for Close.
func (c *freezableConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if c.silent() {
		<-c.closed
		return 0, net.ErrClosed
	}
	return n, err
}

func (c *freezableConn) Write(p []byte) (int, error) {
	if c.silent() {
		<-c.closed
		return 0, net.ErrClosed
	}
	return c.Conn.Write(p)
}

func (c *freezableConn) Close() error {
	c.closeOnce.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// Up listens again on the address the server had.
func (s *Server) Up() error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return errors.New("sshtest: server closed")
	}
	l, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("sshtest listen again on %s: %w", s.Addr, err)
	}
	s.serveListener(l)
	return nil
}

// Close stops the server and waits for its goroutines.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.Down()
	s.wg.Wait()
	return nil
}

func (s *Server) accept(l net.Listener) {
	defer s.wg.Done()
	for {
		raw, err := l.Accept()
		if err != nil {
			return
		}
		conn := net.Conn(newFreezableConn(raw))
		s.mu.Lock()
		s.conns[conn] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serve(conn)
			s.mu.Lock()
			delete(s.conns, conn)
			s.mu.Unlock()
			conn.Close()
		}()
	}
}

func (s *Server) serve(conn net.Conn) {
	sc, chans, reqs, err := ssh.NewServerConn(conn, s.config)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	defer wg.Wait()
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.session(sc.User(), ch, chReqs)
		}()
	}
}

// session serves one channel: pty-req, exec or shell, and signal.
func (s *Server) session(user string, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pty := false
	started := false
	done := make(chan int, 1)
	for {
		select {
		case req, ok := <-reqs:
			if !ok {
				return // client went away; cancel stops the handler
			}
			switch req.Type {
			case "pty-req":
				pty = true
				_ = req.Reply(true, nil)
			case "exec", "shell":
				if started {
					_ = req.Reply(false, nil)
					continue
				}
				cmd := ""
				if req.Type == "exec" {
					var e struct{ Command string }
					if ssh.Unmarshal(req.Payload, &e) != nil {
						_ = req.Reply(false, nil)
						continue
					}
					cmd = e.Command
				}
				started = true
				_ = req.Reply(true, nil)
				e := &Exec{Context: ctx, User: user, Command: cmd, PTY: pty, Stdin: ch, Stdout: ch, Stderr: ch.Stderr()}
				go func() { done <- s.handler(e) }()
			case "signal":
				cancel()
			default:
				if req.WantReply {
					_ = req.Reply(false, nil)
				}
			}
		case status := <-done:
			_ = ch.CloseWrite()
			_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(status)}))
			return
		}
	}
}
