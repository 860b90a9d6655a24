// Package sshd is the SSH server of strata's minimal test image, built on
// golang.org/x/crypto/ssh so that the image needs no OpenSSH or dropbear.
// It serves what kola uses: public-key login, exec requests run by a shell
// with their exit status, signals, environment, and interactive shells on
// a PTY (for kola spawn).
package sshd

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	"github.com/creack/pty"
	"golang.org/x/crypto/ssh"
)

// Config says who may log in and how commands run.
type Config struct {
	// AuthorizedKeysFile is read at each login, so keys installed after the
	// server started (by userdata) are honoured.
	AuthorizedKeysFile string
	// Shell runs commands as Shell -c CMD, and interactive sessions as
	// Shell -l; default /bin/sh.
	Shell string
	// Env is the base environment of sessions.
	Env    []string
	Logger *slog.Logger
}

// Server serves SSH on a listener.
type Server struct {
	cfg    Config
	config *ssh.ServerConfig
}

// New makes a server with a fresh ed25519 host key: the machines are new,
// so there is no host key to keep.
func New(cfg Config) (*Server, error) {
	if cfg.Shell == "" {
		cfg.Shell = "/bin/sh"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		return nil, fmt.Errorf("host key: %w", err)
	}
	s := &Server{cfg: cfg}
	s.config = &ssh.ServerConfig{PublicKeyCallback: s.checkKey}
	s.config.AddHostKey(signer)
	return s, nil
}

func (s *Server) checkKey(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	f, err := os.Open(s.cfg.AuthorizedKeysFile)
	if err != nil {
		return nil, fmt.Errorf("no authorized keys: %w", err)
	}
	defer f.Close()
	want := key.Marshal()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(line))
		if err == nil && string(k.Marshal()) == string(want) {
			return &ssh.Permissions{}, nil
		}
	}
	return nil, fmt.Errorf("key not authorized for %s", meta.User())
}

// Serve accepts connections until ctx ends or the listener fails.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	for {
		conn, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		go s.serveConn(conn)
	}
}

func (s *Server) serveConn(conn net.Conn) {
	defer conn.Close()
	sc, chans, reqs, err := ssh.NewServerConn(conn, s.config)
	if err != nil {
		s.cfg.Logger.Debug("ssh handshake", "remote", conn.RemoteAddr(), "err", err)
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only session channels")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go s.session(ch, chReqs)
	}
}

type ptyReq struct {
	Term          string
	Columns, Rows uint32
	Width, Height uint32
	Modes         string
}

type winChange struct {
	Columns, Rows uint32
	Width, Height uint32
}

// session serves one channel: env and pty-req before exec or shell, then
// signal and window-change while the command runs.
func (s *Server) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	env := append([]string(nil), s.cfg.Env...)
	var pr *ptyReq
	var cmd *exec.Cmd
	var ptmx *os.File
	done := make(chan int, 1)
	var once sync.Once
	for {
		select {
		case req, ok := <-reqs:
			if !ok {
				if cmd != nil && cmd.Process != nil {
					_ = cmd.Process.Kill() // client went away
				}
				return
			}
			switch req.Type {
			case "env":
				var kv struct{ Name, Value string }
				if ssh.Unmarshal(req.Payload, &kv) == nil {
					env = append(env, kv.Name+"="+kv.Value)
				}
				reply(req, true)
			case "pty-req":
				var p ptyReq
				if err := ssh.Unmarshal(req.Payload, &p); err != nil {
					reply(req, false)
					continue
				}
				pr = &p
				reply(req, true)
			case "window-change":
				var w winChange
				if ptmx != nil && ssh.Unmarshal(req.Payload, &w) == nil {
					_ = pty.Setsize(ptmx, &pty.Winsize{Rows: uint16(w.Rows), Cols: uint16(w.Columns)})
				}
				reply(req, true)
			case "signal":
				var sig struct{ Name string }
				if cmd != nil && cmd.Process != nil && ssh.Unmarshal(req.Payload, &sig) == nil {
					if n, ok := signals[sig.Name]; ok {
						// The whole process group: sh -c may have forked.
						_ = syscall.Kill(-cmd.Process.Pid, n)
					}
				}
				reply(req, true)
			case "exec", "shell":
				if cmd != nil {
					reply(req, false)
					continue
				}
				args := []string{"-l"}
				if req.Type == "exec" {
					var e struct{ Command string }
					if ssh.Unmarshal(req.Payload, &e) != nil {
						reply(req, false)
						continue
					}
					args = []string{"-c", e.Command}
				}
				cmd = exec.Command(s.cfg.Shell, args...)
				cmd.Env = env
				cmd.Dir = homeDir(env)
				var err error
				if pr != nil {
					cmd.Env = append(cmd.Env, "TERM="+pr.Term)
					ptmx, err = pty.StartWithSize(cmd, &pty.Winsize{Rows: uint16(pr.Rows), Cols: uint16(pr.Columns)})
					if err == nil {
						go func() { _, _ = io.Copy(ptmx, ch) }()
						go func() {
							_, _ = io.Copy(ch, ptmx)
							once.Do(func() { done <- wait(cmd) })
						}()
					}
				} else {
					cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
					err = startPiped(cmd, ch, func(status int) { once.Do(func() { done <- status }) })
				}
				if err != nil {
					fmt.Fprintf(ch.Stderr(), "sshd: start %s: %v\n", s.cfg.Shell, err)
					reply(req, false)
					_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{127}))
					return
				}
				reply(req, true)
			default:
				reply(req, false)
			}
		case status := <-done:
			if ptmx != nil {
				ptmx.Close()
			}
			_ = ch.CloseWrite()
			_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(status)}))
			return
		}
	}
}

// startPiped starts cmd with the channel as its stdio and reports its exit
// status once its output is fully copied.
func startPiped(cmd *exec.Cmd, ch ssh.Channel, exited func(int)) error {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	cmd.Stdout = ch
	cmd.Stderr = ch.Stderr()
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() {
		_, _ = io.Copy(stdin, ch)
		stdin.Close()
	}()
	go func() { exited(wait(cmd)) }()
	return nil
}

func wait(cmd *exec.Cmd) int {
	err := cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	}
	return 255
}

func reply(req *ssh.Request, ok bool) {
	if req.WantReply {
		_ = req.Reply(ok, nil)
	}
}

func homeDir(env []string) string {
	for _, kv := range env {
		if h, ok := strings.CutPrefix(kv, "HOME="); ok {
			return h
		}
	}
	return "/"
}

var signals = map[string]syscall.Signal{
	"ABRT": syscall.SIGABRT, "ALRM": syscall.SIGALRM, "FPE": syscall.SIGFPE, "HUP": syscall.SIGHUP,
	"ILL": syscall.SIGILL, "INT": syscall.SIGINT, "KILL": syscall.SIGKILL, "PIPE": syscall.SIGPIPE,
	"QUIT": syscall.SIGQUIT, "SEGV": syscall.SIGSEGV, "TERM": syscall.SIGTERM, "USR1": syscall.SIGUSR1,
	"USR2": syscall.SIGUSR2,
}
