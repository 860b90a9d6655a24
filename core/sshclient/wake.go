package sshclient

import (
	"context"
	"sync"
	"sync/atomic"
)

// waker turns wakes from the machine into an abort of the attempt in
// flight (through the hook that attempt installed) and a skipped pause.
// A nil *waker never wakes.
type waker struct {
	mu     sync.Mutex
	hook   func()
	signal chan struct{}
	heard  atomic.Bool // a wake has come
}

func newWaker(ctx context.Context, wake <-chan struct{}) *waker {
	if wake == nil {
		return nil
	}
	w := &waker{signal: make(chan struct{}, 1)}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-wake:
			}
			w.heard.Store(true)
			w.mu.Lock()
			if w.hook != nil {
				w.hook()
			}
			w.mu.Unlock()
			select {
			case w.signal <- struct{}{}:
			default:
			}
		}
	}()
	return w
}

// onWake runs f on the next wakes until stop is called, and at once if a
// wake is pending: it may have come while the attempt was connecting.
func (w *waker) onWake(f func()) (stop func()) {
	if w == nil {
		return func() {}
	}
	w.mu.Lock()
	w.hook = f
	if len(w.signal) > 0 {
		f()
	}
	w.mu.Unlock()
	return func() {
		w.mu.Lock()
		w.hook = nil
		w.mu.Unlock()
	}
}

// ever reports whether a wake has come.
func (w *waker) ever() bool {
	return w != nil && w.heard.Load()
}

// woken receives when a wake came since the last receive.
func (w *waker) woken() <-chan struct{} {
	if w == nil {
		return nil
	}
	return w.signal
}
