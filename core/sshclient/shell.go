package sshclient

import (
	"context"
	"fmt"
	"io"
	"os"

	"golang.org/x/crypto/ssh"
	"golang.org/x/term"
)

// Shell opens an interactive login shell. When stdin is a terminal it is put
// in raw mode and a PTY of its size is requested, so editors and Ctrl-C work
// on the machine; otherwise a PTY of 80x24 is requested and the streams are
// copied as they are.
func Shell(ctx context.Context, client *ssh.Client, stdin io.Reader, stdout, stderr io.Writer) error {
	sess, err := client.NewSession()
	if err != nil {
		return fmt.Errorf("ssh session for shell: %w", err)
	}
	defer sess.Close()

	width, height := 80, 24
	termName := os.Getenv("TERM")
	if termName == "" {
		termName = "xterm"
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, h, err := term.GetSize(int(f.Fd())); err == nil {
			width, height = w, h
		}
		state, err := term.MakeRaw(int(f.Fd()))
		if err != nil {
			return fmt.Errorf("terminal raw mode: %w", err)
		}
		defer func() { _ = term.Restore(int(f.Fd()), state) }()
	}
	modes := ssh.TerminalModes{ssh.ECHO: 1, ssh.TTY_OP_ISPEED: 14400, ssh.TTY_OP_OSPEED: 14400}
	if err := sess.RequestPty(termName, height, width, modes); err != nil {
		return fmt.Errorf("request pty: %w", err)
	}
	sess.Stdin, sess.Stdout, sess.Stderr = stdin, stdout, stderr
	if err := sess.Shell(); err != nil {
		return fmt.Errorf("start shell: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- sess.Wait() }()
	select {
	case err = <-done:
	case <-ctx.Done():
		sess.Close()
		return context.Cause(ctx)
	}
	if _, ok := err.(*ssh.ExitError); ok {
		return nil // the user's last command's status is theirs
	}
	return err
}
