package vm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// A detachable machine can outlive this process (kola run --keep-failed)
// and still dies with it unless it was detached. Pdeathsig cannot do both:
// it is set in the child at its start and nothing clears it from outside.
// So a detachable QEMU has no Pdeathsig; a guard, a shell of its own
// process group, holds the read end of a pipe this process writes. When
// this process dies, however it dies, the pipe's write end closes, the
// guard reads its end and kills the process groups it was given; told
// "release" first (the machine was detached, or stopped here), it goes
// without killing anything.
const guardScript = `groups=
while read -r word arg; do
	case $word in
	group) groups="$groups $arg" ;;
	release) exit 0 ;;
	esac
done
for g in $groups; do kill -KILL "-$g" 2>/dev/null; done
exit 0
`

// guard is one machine's guard process.
type guard struct {
	cmd *exec.Cmd
	mu  sync.Mutex
	w   io.WriteCloser // nil once released
}

func startGuard() (*guard, error) {
	cmd := exec.Command("/bin/sh", "-c", guardScript)
	// A pipe of our own, not StdinPipe: Wait closes that one when the
	// guard exits, under a release still writing to it.
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("start the machine's guard: %w", err)
	}
	cmd.Stdin = r
	// Its own process group: Ctrl-C on the terminal is for kola, which
	// then destroys or keeps its machines itself.
	cmd.SysProcAttr = &unix.SysProcAttr{Setpgid: true}
	err = cmd.Start()
	r.Close()
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("start the machine's guard: %w", err)
	}
	// Reaped when it exits, whenever that is.
	go func() { _ = cmd.Wait() }()
	return &guard{cmd: cmd, w: w}, nil
}

// watch has the guard kill process group pgid when this process dies.
func (g *guard) watch(pgid int) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.w == nil {
		return errors.New("guard already released")
	}
	_, err := fmt.Fprintf(g.w, "group %d\n", pgid)
	return err
}

// release sends the guard away without killing anything.
func (g *guard) release() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.w == nil {
		return nil
	}
	_, err := io.WriteString(g.w, "release\n")
	err = errors.Join(err, g.w.Close())
	g.w = nil
	return err
}

// consoleLogName is the file a detachable machine's serial console goes
// to: a pipe to this process would break when it exits, and the console
// of a machine kept for a person is what they look at first.
const consoleLogName = "console.log"

// ConsoleLog is where a detachable machine started with cfg writes its
// serial console.
func ConsoleLog(cfg Config) string { return filepath.Join(cfg.Dir, consoleLogName) }

// tailPoll is how often a detachable machine's console file is read at its
// end: the ready line and fatal console matches wait at most this long.
const tailPoll = 25 * time.Millisecond

// tail reads path as it grows, until done is closed and the file is read
// to its end.
func tail(path string, done <-chan struct{}, write func([]byte)) {
	f, err := os.Open(path)
	if err != nil {
		write([]byte(fmt.Sprintf("[strata: cannot read the console file: %v]\n", err)))
		return
	}
	defer f.Close()
	buf := make([]byte, 32*1024)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			write(buf[:n])
			continue
		}
		if err != nil && err != io.EOF {
			write([]byte(fmt.Sprintf("[strata: reading the console file: %v]\n", err)))
			return
		}
		select {
		case <-done:
			// QEMU is gone: what it wrote is all there; read to the end.
			for {
				n, _ := f.Read(buf)
				if n == 0 {
					return
				}
				write(buf[:n])
			}
		case <-time.After(tailPoll):
		}
	}
}

// Detach leaves the machine running after this process exits: its guard
// goes without killing it. The console is still read while this process
// lives; afterwards it goes on into ConsoleLog. Only a machine started
// with Config.Detachable can be detached.
func (m *Machine) Detach() error {
	if m.guard == nil {
		return errors.New("machine was not started detachable")
	}
	return m.guard.release()
}

// KillGroup kills a detached machine's QEMU (and its process group) by
// process ID, from another process than the one that started it. It
// checks that the process is QEMU with dir on its command line first, so
// a reused process ID is never killed; it reports whether the machine was
// still running, and waits for it to go, up to ctx's end.
func KillGroup(ctx context.Context, pid int, dir string) (bool, error) {
	if pid <= 0 {
		return false, fmt.Errorf("process ID %d", pid)
	}
	if !RunsIn(pid, dir) {
		return false, nil
	}
	if err := unix.Kill(-pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
		return true, fmt.Errorf("kill QEMU (pid %d): %w", pid, err)
	}
	for RunsIn(pid, dir) {
		select {
		case <-ctx.Done():
			return true, fmt.Errorf("QEMU (pid %d) did not exit after SIGKILL: %w", pid, context.Cause(ctx))
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true, nil
}

// RunsIn says whether process pid is alive (not a zombie) with dir on its
// command line: a machine's QEMU names its directory in its drives.
func RunsIn(pid int, dir string) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || !containsPath(cmdline, dir) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err == nil && !isZombie(stat)
}
