package sim

import (
	"fmt"
	"io"

	"github.com/strata-os/strata/core/sshclient/sshtest"
	"golang.org/x/crypto/ssh"
)

// ServeSOS serves the devices' serial-over-SSH consoles on a loopback
// port, as sos.FACILITY.platformequinix.com does: the user is the
// device's ID, the keys its project's keys at the time, and the session
// prints the device's console (SetConsole). Devices then name this
// address as their "sos". Stop it with the returned function.
func (s *Server) ServeSOS() (stop func(), err error) {
	srv, err := sshtest.NewServer(s.sos)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.sosAddr = srv.Addr
	for _, k := range s.keys {
		if pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k.Key)); err == nil {
			srv.Authorize(pub)
		}
	}
	s.sosServer = srv
	s.mu.Unlock()
	return func() { srv.Close() }, nil
}

// sos is one console session: the device's console, then the end, as
// when the session is left (~.).
func (s *Server) sos(e *sshtest.Exec) int {
	s.mu.Lock()
	d := s.devices[e.User]
	var text string
	if d != nil {
		text = d.Console
	}
	s.mu.Unlock()
	if d == nil {
		fmt.Fprintf(e.Stderr, "no device %s in this facility\n", e.User)
		return 1
	}
	io.WriteString(e.Stdout, text)
	return 0
}
