package qemu

import (
	"fmt"
	"io"
	"sync"
)

// maxConsole bounds the console kept in memory; older output is dropped
// (the live console.txt in the artifacts keeps everything).
const maxConsole = 16 << 20

// consoleBuffer keeps a machine's serial console.
type consoleBuffer struct {
	mu      sync.Mutex
	buf     []byte
	dropped int
	file    io.Writer // the live console.txt, or nil
}

func (c *consoleBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf = append(c.buf, p...)
	if over := len(c.buf) - maxConsole; over > 0 {
		c.buf = append(c.buf[:0], c.buf[over:]...)
		c.dropped += over
	}
	if c.file != nil {
		_, _ = c.file.Write(p)
	}
	return len(p), nil
}

func (c *consoleBuffer) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dropped > 0 {
		return fmt.Sprintf("[strata: %d earlier bytes of console dropped]\n%s", c.dropped, c.buf)
	}
	return string(c.buf)
}
