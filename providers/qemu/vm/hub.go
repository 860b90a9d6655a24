package vm

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
)

// Hub is a private network: an Ethernet hub on a unix socket. QEMU's
// stream netdev connects to it (Config.PrivateNet) and sends each frame
// behind a 4-byte big-endian length; the hub repeats every frame to every
// other machine.
type Hub struct {
	l     net.Listener
	path  string
	dir   string // a short directory made for the socket, removed by Close
	mu    sync.Mutex
	ports map[net.Conn]*sync.Mutex // one write lock per port
	wg    sync.WaitGroup
	tap   func(frame []byte)
}

// Tap makes the hub call f with every frame a machine sends (a copy, as
// it arrives, outside the hub's lock): a service on the network, such as
// the box's DHCP server, listens with it and answers with Inject.
func (h *Hub) Tap(f func(frame []byte)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tap = f
}

// Inject sends a frame to every machine on the hub.
func (h *Hub) Inject(frame []byte) {
	if len(frame) > maxFrame {
		return
	}
	msg := make([]byte, 4+len(frame))
	binary.BigEndian.PutUint32(msg, uint32(len(frame)))
	copy(msg[4:], frame)
	h.mu.Lock()
	defer h.mu.Unlock()
	for p, lock := range h.ports {
		lock.Lock()
		_, _ = p.Write(msg)
		lock.Unlock()
	}
}

// MaxSocketPath is the longest unix socket path the kernel takes (108
// bytes with the terminating NUL).
const MaxSocketPath = 107

// NewHub listens on dir/hub.sock, or, when that path is too long for a
// unix socket (Bazel's TEST_TMPDIR is deep), in a short directory of its
// own under /tmp.
func NewHub(dir string) (*Hub, error) {
	p, short, err := SocketPath(dir, "hub.sock")
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("unix", p)
	if err != nil {
		if short != "" {
			os.RemoveAll(short)
		}
		return nil, err
	}
	h := &Hub{l: l, path: p, dir: short, ports: map[net.Conn]*sync.Mutex{}}
	h.wg.Add(1)
	go h.accept()
	return h, nil
}

// SocketPath is dir/name, or, when that is too long for a unix socket,
// name in a new short directory under /tmp, returned as short for the
// caller to remove.
func SocketPath(dir, name string) (path, short string, err error) {
	p := filepath.Join(dir, name)
	if len(p) <= MaxSocketPath {
		return p, "", nil
	}
	short, err = os.MkdirTemp("/tmp", "strata-sock-")
	if err != nil {
		return "", "", err
	}
	return filepath.Join(short, name), short, nil
}

// Path is the socket QEMU connects to.
func (h *Hub) Path() string { return h.path }

func (h *Hub) accept() {
	defer h.wg.Done()
	for {
		c, err := h.l.Accept()
		if err != nil {
			return
		}
		h.mu.Lock()
		h.ports[c] = &sync.Mutex{}
		h.mu.Unlock()
		h.wg.Add(1)
		go h.serve(c)
	}
}

// maxFrame bounds a frame: jumbo frames and then some.
const maxFrame = 65536

func (h *Hub) serve(c net.Conn) {
	defer h.wg.Done()
	defer func() {
		h.mu.Lock()
		delete(h.ports, c)
		h.mu.Unlock()
		c.Close()
	}()
	buf := make([]byte, 4+maxFrame)
	for {
		if _, err := io.ReadFull(c, buf[:4]); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(buf[:4])
		if n > maxFrame {
			return
		}
		if _, err := io.ReadFull(c, buf[4:4+n]); err != nil {
			return
		}
		h.mu.Lock()
		tap := h.tap
		h.mu.Unlock()
		if tap != nil {
			tap(append([]byte(nil), buf[4:4+n]...))
		}
		h.mu.Lock()
		for p, lock := range h.ports {
			if p == c {
				continue
			}
			lock.Lock()
			_, _ = p.Write(buf[:4+n]) // a dead port is dropped by its reader
			lock.Unlock()
		}
		h.mu.Unlock()
	}
}

// Close disconnects every machine and removes the socket.
func (h *Hub) Close() error {
	err := h.l.Close()
	h.mu.Lock()
	for p := range h.ports {
		p.Close()
	}
	h.mu.Unlock()
	h.wg.Wait()
	if h.dir != "" {
		err = errors.Join(err, os.RemoveAll(h.dir))
	}
	return err
}
