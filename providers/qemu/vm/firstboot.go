package vm

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// A first boot with a command line of its own (Config.FirstbootCmdline):
// QEMU boots a kernel with the same -append on every reset, so the first
// boot runs with -no-reboot and QEMU is started again on the same disk
// when the guest reboots. With -no-reboot a reboot and a poweroff both
// end QEMU with status 0; only QEMU's machine protocol (QMP) tells them
// apart, by the reason of its SHUTDOWN event. QMP runs over a socket pair
// (the child's end is its fd 3: no socket path, which Bazel's deep
// temporary directories make too long), and the first boot starts paused
// (-S) until this end listens, so no event can come before it does.
type firstBoot struct {
	ours, theirs *os.File
	rebooted     atomic.Bool   // a SHUTDOWN event said guest-reset
	done         chan struct{} // closed when the protocol's stream ends
}

func newFirstBoot() (*firstBoot, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("first boot: QEMU's machine protocol socket: %w", err)
	}
	// Ours non-blocking, so that the runtime polls it and reset's Close
	// ends a read blocked on it.
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, fmt.Errorf("first boot: QEMU's machine protocol socket: %w", err)
	}
	return &firstBoot{ours: os.NewFile(uintptr(fds[0]), "qmp"), theirs: os.NewFile(uintptr(fds[1]), "qmp-qemu"), done: make(chan struct{})}, nil
}

// args is QEMU's command line for the first boot: every boot's, with
// cmdline as the kernel's, paused, exiting instead of rebooting, and the
// machine protocol on fd 3.
func (fb *firstBoot) args(every []string, cmdline string) []string {
	args := slices.Clone(every)
	if i := slices.Index(args, "-append"); i >= 0 && i+1 < len(args) {
		args[i+1] = cmdline
	}
	return append(args, "-chardev", "socket,id=qmp,fd=3", "-mon", "chardev=qmp,mode=control", "-S", "-no-reboot")
}

// started is told how starting the first boot's QEMU went; when it
// started, the protocol is spoken until QEMU is gone. A QEMU the protocol
// cannot start (it stays paused) is killed, saying why on its stderr.
func (fb *firstBoot) started(m *Machine, err error) {
	fb.theirs.Close()
	if err != nil {
		fb.ours.Close()
		close(fb.done)
		return
	}
	go func() {
		defer close(fb.done)
		if err := fb.speak(); err != nil && !fb.rebooted.Load() {
			select {
			case <-m.exited:
			default:
				if !m.wasKilled() {
					fmt.Fprintf(&m.stderr, "strata: QEMU's machine protocol (the first boot's reboot is watched through it): %v\n", err)
					m.Kill()
				}
			}
		}
	}()
}

// speak starts the paused machine and reads events until the stream
// ends; a SHUTDOWN whose reason is guest-reset is the guest's reboot.
func (fb *firstBoot) speak() error {
	dec := json.NewDecoder(fb.ours)
	var msg struct {
		QMP    json.RawMessage `json:"QMP"`
		Return json.RawMessage `json:"return"`
		Error  *struct {
			Desc string `json:"desc"`
		} `json:"error"`
		Event string `json:"event"`
		Data  struct {
			Reason string `json:"reason"`
		} `json:"data"`
	}
	read := func() error {
		msg.QMP, msg.Return, msg.Error, msg.Event, msg.Data.Reason = nil, nil, nil, "", ""
		return dec.Decode(&msg)
	}
	if err := read(); err != nil || msg.QMP == nil {
		return fmt.Errorf("no greeting: %v", err)
	}
	for _, command := range []string{"qmp_capabilities", "cont"} {
		if _, err := fmt.Fprintf(fb.ours, "{\"execute\": %q}\n", command); err != nil {
			return fmt.Errorf("%s: %w", command, err)
		}
		for {
			if err := read(); err != nil {
				return fmt.Errorf("%s: %w", command, err)
			}
			if msg.Error != nil {
				return fmt.Errorf("%s: %s", command, msg.Error.Desc)
			}
			if msg.Return != nil {
				break
			}
			fb.event(msg.Event, msg.Data.Reason)
		}
	}
	for read() == nil {
		fb.event(msg.Event, msg.Data.Reason)
	}
	return nil // the stream ends with QEMU (or reset closed it)
}

func (fb *firstBoot) event(name, reason string) {
	if name == "SHUTDOWN" && reason == "guest-reset" {
		fb.rebooted.Store(true)
	}
}

// resetGrace bounds the wait, after the first boot's QEMU exited, for the
// end of its protocol stream: a process QEMU started may hold its end.
const resetGrace = 2 * time.Second

// reset says, once the first boot's QEMU has exited, whether the guest
// rebooted (rather than powered off or failed).
func (fb *firstBoot) reset() bool {
	select {
	case <-fb.done:
	case <-time.After(resetGrace):
	}
	fb.ours.Close()
	<-fb.done
	return fb.rebooted.Load()
}
