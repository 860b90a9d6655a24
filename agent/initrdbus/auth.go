package initrdbus

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// maxAuthLine and maxAuthLines bound the handshake: a client that sends
// more is not a D-Bus client.
const (
	maxAuthLine  = 1024
	maxAuthLines = 32
)

// authenticate runs the server's side of D-Bus's SASL handshake on a
// new connection: EXTERNAL only, the claimed user being the peer's own
// (SO_PEERCRED) and the server's, as systemd's private socket admits
// root alone. Unix file descriptors are not offered; none of the calls
// answered here carries one. On success r is positioned at the first
// message.
func authenticate(r *bufio.Reader, w io.Writer) error {
	peer, err := peerUID(w)
	if err != nil {
		return err
	}
	nul, err := r.ReadByte()
	if err != nil {
		return fmt.Errorf("read the handshake's first byte: %w", err)
	}
	if nul != 0 {
		return errors.New("the handshake does not start with a nul byte")
	}
	reply := func(line string) error {
		_, err := io.WriteString(w, line+"\r\n")
		return err
	}
	authed, waitingData := false, false
	for range maxAuthLines {
		words, err := readAuthLine(r)
		if err != nil {
			return err
		}
		cmd, args := words[0], words[1:]
		switch {
		case cmd == "AUTH" && !authed:
			waitingData = false
			switch {
			case len(args) == 0 || args[0] != "EXTERNAL":
				err = reply("REJECTED EXTERNAL")
			case len(args) == 1:
				waitingData = true
				err = reply("DATA")
			default:
				authed, err = claim(args[1], peer, reply)
			}
		case cmd == "DATA" && waitingData:
			waitingData = false
			id := ""
			if len(args) > 0 {
				id = args[0]
			}
			authed, err = claim(id, peer, reply)
		case (cmd == "CANCEL" || cmd == "ERROR") && !authed:
			waitingData = false
			err = reply("REJECTED EXTERNAL")
		case cmd == "NEGOTIATE_UNIX_FD" && authed:
			err = reply("ERROR file descriptors are not passed here")
		case cmd == "BEGIN" && authed:
			return nil
		default:
			err = reply("ERROR unexpected " + cmd)
		}
		if err != nil {
			return fmt.Errorf("answer the handshake: %w", err)
		}
	}
	return fmt.Errorf("no BEGIN after %d handshake lines", maxAuthLines)
}

// claim answers an EXTERNAL identity: hex of the decimal uid, or empty
// for the peer's own.
func claim(hexID string, peer int, reply func(string) error) (bool, error) {
	uid := peer
	if hexID != "" {
		b, err := hex.DecodeString(hexID)
		if err != nil {
			return false, reply("REJECTED EXTERNAL")
		}
		if uid, err = strconv.Atoi(string(b)); err != nil {
			return false, reply("REJECTED EXTERNAL")
		}
	}
	if uid != peer || uid != os.Geteuid() {
		return false, reply("REJECTED EXTERNAL")
	}
	return true, reply("OK " + serverGUID)
}

// serverGUID identifies this server in the handshake, as the D-Bus
// specification asks: 32 hex digits, new each run.
var serverGUID = func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}()

// readAuthLine reads one "\r\n"-terminated handshake line as words.
func readAuthLine(r *bufio.Reader) ([]string, error) {
	var line []byte
	for {
		chunk, more, err := r.ReadLine()
		if err != nil {
			return nil, fmt.Errorf("read the handshake: %w", err)
		}
		line = append(line, chunk...)
		if len(line) > maxAuthLine {
			return nil, fmt.Errorf("a handshake line longer than %d bytes", maxAuthLine)
		}
		if !more {
			break
		}
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	fields := bytes.Fields(line)
	if len(fields) == 0 {
		return nil, errors.New("an empty handshake line")
	}
	words := make([]string, len(fields))
	for i, f := range fields {
		words[i] = string(f)
	}
	return words, nil
}

// peerUID is the user on the other end of a Unix socket.
func peerUID(w io.Writer) (int, error) {
	uc, ok := w.(*net.UnixConn)
	if !ok {
		return 0, fmt.Errorf("a %T is not a Unix socket: no peer credentials", w)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return 0, fmt.Errorf("peer credentials: %w", err)
	}
	var cred *unix.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return 0, fmt.Errorf("peer credentials: %w", err)
	}
	if credErr != nil {
		return 0, fmt.Errorf("peer credentials: %w", credErr)
	}
	return int(cred.Uid), nil
}
