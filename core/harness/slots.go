package harness

import (
	"context"
	"sync"
)

// slots is a FIFO semaphore: tests get slots in the order they asked, so a
// -j1 run goes in registration order and a long queue cannot starve a test.
type slots struct {
	mu      sync.Mutex
	free    int
	waiters []chan struct{}
}

func newSlots(n int) *slots { return &slots{free: n} }

// ticket queues a request; the channel is closed when the slot is granted.
func (s *slots) ticket() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if s.free > 0 && len(s.waiters) == 0 {
		s.free--
		close(ch)
		return ch
	}
	s.waiters = append(s.waiters, ch)
	return ch
}

// wait blocks until the ticket is granted or ctx ends; on ctx's end the
// ticket is withdrawn (or its slot given back if it was granted meanwhile).
func (s *slots) wait(ctx context.Context, ch chan struct{}) error {
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
	}
	s.cancel(ch)
	return ctx.Err()
}

func (s *slots) cancel(ch chan struct{}) {
	s.mu.Lock()
	for i, w := range s.waiters {
		if w == ch {
			s.waiters = append(s.waiters[:i], s.waiters[i+1:]...)
			s.mu.Unlock()
			return
		}
	}
	s.mu.Unlock()
	s.release() // granted while we gave up: hand it on
}

func (s *slots) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.waiters) > 0 {
		close(s.waiters[0])
		s.waiters = s.waiters[1:]
		return
	}
	s.free++
}
