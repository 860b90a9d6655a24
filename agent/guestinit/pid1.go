// Package guestinit is the init of strata's minimal test image: the
// strata-init binary runs as PID 1 from the initramfs. PID 1 itself only reaps orphans and turns
// busybox's reboot/poweroff signals into reboot(2); everything else (mounts,
// modules, network, the SSH server, userdata) runs in a child process, so
// that reaping never races the SSH server waiting for its commands.
//
// Configuration comes from QEMU's fw_cfg, under opt/strata/: the SSH
// authorized_keys, the hostname, the private network address and an
// optional userdata script.
package guestinit

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"time"

	"golang.org/x/sys/unix"
)

// ServicesArg is the argument PID 1 starts its own binary with to run the
// services.
const ServicesArg = "services"

// PID1 never returns.
func PID1() {
	if err := mountEarly(); err != nil {
		fatal("mount: %v", err)
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, unix.SIGCHLD, unix.SIGTERM, unix.SIGINT, unix.SIGUSR1, unix.SIGUSR2)

	self, err := os.Executable()
	if err != nil {
		self = "/bin/strata-init"
	}
	services := exec.Command(self, ServicesArg)
	services.Stdout, services.Stderr = os.Stdout, os.Stderr
	services.Env = []string{"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/root"}
	if err := services.Start(); err != nil {
		fatal("start services: %v", err)
	}
	for s := range sigs {
		switch s {
		case unix.SIGCHLD:
			for {
				var ws unix.WaitStatus
				pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
				if pid <= 0 || err != nil {
					break
				}
				if pid == services.Process.Pid {
					fatal("services exited: %v", ws)
				}
			}
		case unix.SIGTERM, unix.SIGINT:
			shutdown(unix.LINUX_REBOOT_CMD_RESTART, "reboot")
		case unix.SIGUSR2:
			shutdown(unix.LINUX_REBOOT_CMD_POWER_OFF, "power off")
		case unix.SIGUSR1:
			shutdown(unix.LINUX_REBOOT_CMD_HALT, "halt")
		}
	}
}

// mountEarly mounts what the services process needs before it starts.
func mountEarly() error {
	for _, m := range []struct{ src, dst, fstype, data string }{
		{"proc", "/proc", "proc", ""},
		{"sysfs", "/sys", "sysfs", ""},
		{"devtmpfs", "/dev", "devtmpfs", ""},
		{"devpts", "/dev/pts", "devpts", "mode=620,ptmxmode=666"},
		{"tmpfs", "/run", "tmpfs", "mode=755"},
		{"tmpfs", "/tmp", "tmpfs", "mode=1777"},
	} {
		if err := os.MkdirAll(m.dst, 0o755); err != nil {
			return err
		}
		if err := unix.Mount(m.src, m.dst, m.fstype, 0, m.data); err != nil && err != unix.EBUSY {
			return fmt.Errorf("%s on %s: %w", m.fstype, m.dst, err)
		}
	}
	return nil
}

func shutdown(cmd int, what string) {
	fmt.Fprintf(os.Stdout, "strata-init: %s\n", what)
	_ = unix.Kill(-1, unix.SIGTERM)
	time.Sleep(200 * time.Millisecond)
	_ = unix.Kill(-1, unix.SIGKILL)
	unix.Sync()
	_ = unix.Reboot(cmd)
	select {}
}

// fatal reports on the console and powers off: a broken init must end the
// boot visibly (console check) rather than hang until the boot timeout.
func fatal(format string, args ...any) {
	fmt.Fprintf(os.Stdout, "strata-init: FATAL: "+format+"\n", args...)
	unix.Sync()
	_ = unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	select {}
}
