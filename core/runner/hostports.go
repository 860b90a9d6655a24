package runner

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// hostPorts keeps tests that need the same port of the host
// (register.Test.HostPorts) from running at the same time.
type hostPorts struct {
	mu    sync.Mutex
	ports map[int]chan struct{} // a slot per port: full while a test holds it
}

// acquire waits until every port is free and takes them, in increasing
// order (two tests wanting the same ports cannot each hold one the other
// waits for); release gives them back. waiting is called once if a port
// is held.
func (p *hostPorts) acquire(ctx context.Context, want []int, waiting func(port int)) (release func(), err error) {
	ports := slices.Clone(want)
	slices.Sort(ports)
	ports = slices.Compact(ports)
	var held []chan struct{}
	release = func() {
		for _, c := range held {
			<-c
		}
	}
	told := false
	for _, port := range ports {
		p.mu.Lock()
		if p.ports == nil {
			p.ports = map[int]chan struct{}{}
		}
		c := p.ports[port]
		if c == nil {
			c = make(chan struct{}, 1)
			p.ports[port] = c
		}
		p.mu.Unlock()
		select {
		case c <- struct{}{}:
		default:
			if !told && waiting != nil {
				waiting(port)
				told = true
			}
			select {
			case c <- struct{}{}:
			case <-ctx.Done():
				release()
				return nil, fmt.Errorf("waiting for host port %d: %w", port, context.Cause(ctx))
			}
		}
		held = append(held, c)
	}
	return release, nil
}
