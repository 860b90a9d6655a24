package vm

import (
	"fmt"
	"io"
	"sync"
)

// MaxConsole bounds the console kept in memory; older output is dropped
// (File, when set, keeps everything).
const MaxConsole = 16 << 20

// Console keeps a machine's serial console: the last MaxConsole bytes in
// memory, and everything in File as it arrives.
type Console struct {
	mu      sync.Mutex
	buf     []byte
	dropped int
	File    io.Writer // also gets every byte (a live console.txt), or nil
}

func (c *Console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	if over := len(c.buf) - MaxConsole; over > 0 {
		c.buf = append(c.buf[:0], c.buf[over:]...)
		c.dropped += over
	}
	if c.File != nil {
		_, _ = c.File.Write(p)
	}
	return len(p), nil
}

func (c *Console) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dropped > 0 {
		return fmt.Sprintf("[strata: %d earlier bytes of console dropped]\n%s", c.dropped, c.buf)
	}
	return string(c.buf)
}
