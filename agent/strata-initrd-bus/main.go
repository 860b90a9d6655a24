// Command strata-initrd-bus answers Ignition's calls to systemd in the
// ignition image's initramfs, which has udev but no systemd (package
// initrdbus). The initramfs script starts it, with udev, before
// Ignition's disks stage when the config has disks, filesystems, RAID or
// LUKS, and stops it with SIGTERM after the umount stage:
//
//	strata-initrd-bus --systemd-version 252 &
//
// It is built static (CGO_ENABLED=0), so the initramfs needs no library
// for it.
//
// Called as strata-metadata (a link the image makes), it is the image's
// metadata agent instead (metadata.go), and as strata-link-up (a link in
// the initramfs) it sets network cards up (linkup.go): one static binary
// carries the ignition image's agents, so the image takes one program,
// not three.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/agent/initrdbus"
)

type cli struct {
	Socket         string        `default:"/run/systemd/private" help:"Where to listen: systemd's private socket."`
	SystemdVersion string        `required:"" help:"Version of the systemd the machine boots into, as Manager.Version reports it (e.g. 252)."`
	DeviceTimeout  time.Duration `default:"90s" help:"How long a device job waits for its device."`
	UdevData       string        `default:"/run/udev/data" help:"udev's database directory."`
	Verbose        bool          `help:"Log every call."`
}

func main() {
	switch filepath.Base(os.Args[0]) {
	case metadataName:
		os.Exit(metadataMain(os.Args[1:], os.Stdout, os.Stderr))
	case linkUpName:
		os.Exit(linkUpMain(os.Args[1:], os.Stderr))
	}
	var c cli
	kong.Parse(&c, kong.Description("Stands in for systemd's private D-Bus socket in an initramfs, for Ignition's disks stage."))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := c.run(ctx, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "strata-initrd-bus:", err)
		os.Exit(1)
	}
}

// run listens on the socket (made anew, root's alone) and serves until
// ctx ends, then removes the socket.
func (c *cli) run(ctx context.Context, logTo io.Writer) error {
	level := slog.LevelInfo
	if c.Verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(logTo, &slog.HandlerOptions{Level: level})).With("prog", "strata-initrd-bus")
	if err := os.MkdirAll(filepath.Dir(c.Socket), 0o755); err != nil {
		return fmt.Errorf("socket directory: %w", err)
	}
	if err := os.Remove(c.Socket); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("remove the old socket %s: %w", c.Socket, err)
	}
	// Made 0600 from the start: no moment in which another user could
	// connect.
	old := syscall.Umask(0o177)
	l, err := net.Listen("unix", c.Socket)
	syscall.Umask(old)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Socket, err)
	}
	defer os.Remove(c.Socket)
	srv := &initrdbus.Server{Version: c.SystemdVersion, DeviceTimeout: c.DeviceTimeout, UdevData: c.UdevData, Logger: logger}
	logger.Info("listening", "socket", c.Socket)
	return srv.Serve(ctx, l)
}
