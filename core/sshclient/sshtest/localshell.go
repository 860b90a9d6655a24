package sshtest

import (
	"errors"
	"os/exec"
)

// LocalShell returns a Handler that runs each command with /bin/sh -c in
// dir on this host (an interactive shell runs sh reading stdin), so tests of
// quoting, file copies and exit codes meet a real shell.
func LocalShell(dir string) Handler {
	return func(e *Exec) int {
		args := []string{"-c", e.Command}
		if e.Command == "" {
			args = []string{"-s"}
		}
		cmd := exec.CommandContext(e.Context, "/bin/sh", args...)
		cmd.Dir = dir
		cmd.Stdin, cmd.Stdout, cmd.Stderr = e.Stdin, e.Stdout, e.Stderr
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
			return 0
		case errors.As(err, &ee) && ee.ExitCode() >= 0:
			return ee.ExitCode()
		default:
			return 255
		}
	}
}
