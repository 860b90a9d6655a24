package qemu

import (
	"encoding/binary"
	"io"
	"net"
	"sync"
)

// hub is a cluster's private network: an Ethernet hub on a unix socket.
// QEMU's stream netdev connects to it and sends each frame behind a 4-byte
// big-endian length; the hub repeats every frame to every other machine.
type hub struct {
	l     net.Listener
	mu    sync.Mutex
	ports map[net.Conn]*sync.Mutex // one write lock per port
	wg    sync.WaitGroup
}

func newHub(path string) (*hub, error) {
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	h := &hub{l: l, ports: map[net.Conn]*sync.Mutex{}}
	h.wg.Add(1)
	go h.accept()
	return h, nil
}

func (h *hub) accept() {
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

func (h *hub) serve(c net.Conn) {
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

func (h *hub) Close() error {
	err := h.l.Close()
	h.mu.Lock()
	for p := range h.ports {
		p.Close()
	}
	h.mu.Unlock()
	h.wg.Wait()
	return err
}
