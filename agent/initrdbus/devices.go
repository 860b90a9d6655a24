package initrdbus

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/coreos/go-systemd/v22/unit"
	"golang.org/x/sys/unix"
)

// devicePath is the device node a device unit stands for:
// "dev-disk-by\x2dlabel-data.device" is /dev/disk/by-label/data.
func devicePath(name string) (string, error) {
	if !isDeviceUnit(name) {
		return "", fmt.Errorf("unit %s: strata-initrd-bus starts device units only", name)
	}
	p := unit.UnitNamePathUnescape(strings.TrimSuffix(name, ".device"))
	if !strings.HasPrefix(p, "/dev/") {
		return "", fmt.Errorf("unit %s: %s is not under /dev", name, p)
	}
	return p, nil
}

// waitDevice waits until the node at path is plugged as systemd sees it:
// it exists (through any link udev makes) and udev has processed it. It
// returns the job's result as systemd names it.
func (s *Server) waitDevice(ctx context.Context, path string) string {
	timeout := s.DeviceTimeout
	if timeout <= 0 {
		timeout = DefaultDeviceTimeout
	}
	every := s.PollInterval
	if every <= 0 {
		every = 50 * time.Millisecond
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if s.plugged(path) {
			return "done"
		}
		select {
		case <-ctx.Done():
			return "canceled"
		case <-deadline.C:
			return "timeout"
		case <-tick.C:
		}
	}
}

// plugged reports whether the device node at path exists and udev has
// written its database entry (/run/udev/data/b8:16 for a block device
// 8:16), which udev does after its rules ran and its links were made.
func (s *Server) plugged(path string) bool {
	root := s.Root
	if root == "" {
		root = "/"
	}
	fi, err := os.Stat(filepath.Join(root, path))
	if err != nil || fi.Mode()&os.ModeDevice == 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	kind := "b"
	if fi.Mode()&os.ModeCharDevice != 0 {
		kind = "c"
	}
	dir := s.UdevData
	if dir == "" {
		dir = "/run/udev/data"
	}
	entry := fmt.Sprintf("%s%d:%d", kind, unix.Major(st.Rdev), unix.Minor(st.Rdev))
	_, err = os.Stat(filepath.Join(dir, entry))
	return err == nil
}
