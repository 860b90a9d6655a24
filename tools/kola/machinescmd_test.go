package main

import (
	"net"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
)

// A machine answers when an SSH server greets at its address; a port that
// accepts and closes (QEMU's forward to a dead guest), one that accepts
// and says nothing, one that speaks another protocol, and one nobody
// listens on do not.
func TestAnswers(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve func(net.Conn) // nil: nothing listens
		want  bool
	}{
		{"ssh greeting", func(c net.Conn) { c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n")) }, true},
		{"lines before the greeting", func(c net.Conn) { c.Write([]byte("welcome\r\nSSH-2.0-x\r\n")) }, true},
		{"accepts and closes", func(c net.Conn) {}, false},
		{"accepts and says nothing", func(c net.Conn) { time.Sleep(time.Second) }, false},
		{"another protocol", func(c net.Conn) { c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n")) }, false},
		{"nothing listens", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := l.Addr().String()
			if tc.serve == nil {
				l.Close()
			} else {
				defer l.Close()
				go func() {
					for {
						c, err := l.Accept()
						if err != nil {
							return
						}
						tc.serve(c)
						c.Close()
					}
				}()
			}
			if got := answers(platform.KeptMachine{Addr: addr}, 300*time.Millisecond); got != tc.want {
				t.Errorf("answers = %v, want %v", got, tc.want)
			}
		})
	}
}
