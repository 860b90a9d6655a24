package vm

import (
	"fmt"
	"io"
	"net"
	"os"
)

// relayArg, as the first argument, turns any program that links this
// package into a relay: QEMU's guestfwd runs a command per guest
// connection with the connection on its stdin and stdout, and strata runs
// itself (os.Executable) as that command, so a guest forward needs no
// tool on the host (no socat, no netcat) and works in Bazel's sandbox
// and in test binaries alike.
const relayArg = "strata-vm-guestfwd-relay"

func init() {
	if len(os.Args) == 3 && os.Args[1] == relayArg {
		if err := relay(os.Stdin, os.Stdout, os.Args[2]); err != nil {
			fmt.Fprintf(os.Stderr, "strata guest forward to %s: %v\n", os.Args[2], err)
			os.Exit(1)
		}
		os.Exit(0)
	}
}

// relay copies between the guest's connection (in, out) and the unix
// socket until either side is done. The guest half-closing its side is
// passed on, so an HTTP server sees the request end; the server closing
// ends the relay.
func relay(in io.Reader, out io.Writer, socket string) error {
	conn, err := net.Dial("unix", socket)
	if err != nil {
		return err
	}
	defer conn.Close()
	go func() {
		_, _ = io.Copy(conn, in)
		if c, ok := conn.(*net.UnixConn); ok {
			_ = c.CloseWrite()
		}
	}()
	_, err = io.Copy(out, conn)
	return err
}
