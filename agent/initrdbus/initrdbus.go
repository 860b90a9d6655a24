// Package initrdbus stands in for systemd's private D-Bus socket
// (/run/systemd/private) in an initramfs that has no systemd.
//
// Ignition's disks stage waits for the disks a config names by asking
// systemd to start their device units (StartUnit "dev-vdb.device") and
// waiting for the JobRemoved signal, and its files stage asks systemd's
// version; it talks to systemd directly on the private socket, as CoreOS
// initramfs do. strata's ignition image runs Ignition from Debian's
// initramfs-tools, where udev is the only part of systemd. This server
// answers those calls, and only those: a device unit's job is done when
// its node exists and udev has processed it (its database entry is
// written, so its /dev/disk links exist), which is when systemd would
// call the device plugged; it times out as systemd's device jobs do.
// Anything else gets a D-Bus error naming the call, so that a newer
// Ignition asking for more fails saying what it asked.
//
// The wire format is godbus's; the authentication handshake (SASL
// EXTERNAL, checked against the peer's credentials) is in auth.go.
package initrdbus

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
)

// Names of systemd's D-Bus API that this server answers.
const (
	managerPath      = dbus.ObjectPath("/org/freedesktop/systemd1")
	managerInterface = "org.freedesktop.systemd1.Manager"
	busInterface     = "org.freedesktop.DBus"
	propsInterface   = "org.freedesktop.DBus.Properties"
	peerInterface    = "org.freedesktop.DBus.Peer"
	jobPathPrefix    = "/org/freedesktop/systemd1/job/"
)

// DefaultDeviceTimeout is how long a device job waits, as systemd's
// default start timeout.
const DefaultDeviceTimeout = 90 * time.Second

// Server answers Ignition's calls to systemd on a listener.
type Server struct {
	// Version is what Manager.Version reports: the version of the
	// systemd the machine boots into (e.g. "252").
	Version string
	// DeviceTimeout bounds a device job; 0 means DefaultDeviceTimeout.
	DeviceTimeout time.Duration
	// UdevData is udev's database directory; default /run/udev/data.
	UdevData string
	// Root is where device paths are looked up; default "/". (Tests
	// put their own /dev elsewhere.)
	Root string
	// PollInterval is how often a waiting job looks at its device;
	// default 50 ms.
	PollInterval time.Duration
	// Logger gets a line per call and per finished job; default none.
	Logger *slog.Logger

	mu       sync.Mutex
	conns    map[*conn]bool
	lastID   uint32
	lastConn uint64
	jobs     sync.WaitGroup
}

// Serve answers connections on l until ctx ends or l fails; it closes
// l and every connection when it returns. Jobs still waiting then end
// with the result "canceled".
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	var handlers sync.WaitGroup
	defer func() {
		// Waiting jobs end with ctx: whatever ended Serve, they go now.
		cancel()
		s.mu.Lock()
		for c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		handlers.Wait()
		s.jobs.Wait()
	}()
	for {
		nc, err := l.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("accept: %w", err)
		}
		handlers.Add(1)
		go func() {
			defer handlers.Done()
			s.handle(ctx, nc)
		}()
	}
}

func (s *Server) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

// handle authenticates one connection, then answers its calls until it
// closes.
func (s *Server) handle(ctx context.Context, nc net.Conn) {
	defer nc.Close()
	r := bufio.NewReader(nc)
	if err := authenticate(r, nc); err != nil {
		s.logger().Warn("refused a connection", "err", err)
		return
	}
	s.mu.Lock()
	s.lastConn++
	c := &conn{id: s.lastConn, nc: nc}
	if s.conns == nil {
		s.conns = map[*conn]bool{}
	}
	s.conns[c] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	for {
		msg, err := dbus.DecodeMessage(r)
		if err != nil {
			// io.EOF is how every client leaves.
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				s.logger().Debug("connection ended", "err", err)
			}
			return
		}
		if msg.Type != dbus.TypeMethodCall {
			continue
		}
		if err := s.call(ctx, c, msg); err != nil {
			s.logger().Warn("answering a call", "err", err)
			return
		}
	}
}

// broadcast sends a signal to every connection, as systemd sends its
// signals to every client of its private socket.
func (s *Server) broadcast(sig *dbus.Message) {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		if err := c.send(sig); err != nil {
			s.logger().Debug("signal not delivered", "err", err)
		}
	}
}
