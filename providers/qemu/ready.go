package qemu

import "bytes"

// readySignal watches the console for the line an image prints when its
// SSH server listens, and wakes the dialer each time (once per boot).
type readySignal struct {
	prefix []byte
	line   []byte // the current line, up to len(prefix) bytes
	wake   chan struct{}
}

func newReadySignal(prefix string) *readySignal {
	return &readySignal{prefix: []byte(prefix), wake: make(chan struct{}, 1)}
}

// wakes is what the dialer waits on: nil for an image that prints no
// such line, whose machines the dialer must find by trying.
func (r *readySignal) wakes() <-chan struct{} {
	if len(r.prefix) == 0 {
		return nil
	}
	return r.wake
}

func (r *readySignal) Write(p []byte) (int, error) {
	if len(r.prefix) == 0 {
		return len(p), nil
	}
	for _, b := range p {
		if b == '\n' || b == '\r' {
			r.line = r.line[:0]
			continue
		}
		if len(r.line) >= len(r.prefix) {
			continue
		}
		r.line = append(r.line, b)
		if bytes.Equal(r.line, r.prefix) {
			select {
			case r.wake <- struct{}{}:
			default:
			}
		}
	}
	return len(p), nil
}
