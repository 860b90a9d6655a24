package vm

import (
	"bytes"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// FreePort is a TCP port free on 127.0.0.1 a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// LastLines returns the last n non-blank lines of text, joined by " | ".
func LastLines(text string, n int) string {
	var out []string
	for _, line := range slices.Backward(strings.Split(text, "\n")) {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
			if len(out) == n {
				break
			}
		}
	}
	slices.Reverse(out)
	return strings.Join(out, " | ")
}

// lockedBuffer keeps the first 64 KiB written to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 64*1024 {
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// containsPath says whether a NUL-separated command line names dir (in any
// argument, e.g. "file=DIR/root.qcow2").
func containsPath(cmdline []byte, dir string) bool {
	if dir == "" {
		return false
	}
	return bytes.Contains(cmdline, []byte(filepath.Clean(dir)+"/"))
}

// isZombie reads /proc/PID/stat's state field, which follows the command
// name in parentheses (which may itself hold spaces and parentheses).
func isZombie(stat []byte) bool {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 || i+2 >= len(stat) {
		return false
	}
	return stat[i+2] == 'Z'
}
