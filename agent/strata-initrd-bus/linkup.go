package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// linkUpName is the name the link helper is called by.
const linkUpName = "strata-link-up"

// linkUpWait bounds waiting for a card to appear (its driver may still be
// probing it when the initramfs script starts).
const linkUpWait = 10 * time.Second

// linkUpMain is strata-link-up: `strata-link-up IFACE…` sets each
// network card up, as `ip link set IFACE up` would (the initramfs has no
// ip). The ignition image's initramfs runs it before Ignition's first
// stage, because klibc's ipconfig brings a card up itself and tries DHCP
// at once: on a card up for only that moment the first try fails (in
// klibc's code, a failed send or receive), and ipconfig tries again only
// ten seconds on — ten seconds of every boot that fetches its config over
// the network. On a card up a second before, the first try is answered.
func linkUpMain(args []string, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintf(stderr, "usage: %s IFACE...\n", linkUpName)
		return 2
	}
	status := 0
	for _, name := range args {
		if err := linkUp(name, "/sys/class/net", linkUpWait); err != nil {
			fmt.Fprintf(stderr, "%s: %v\n", linkUpName, err)
			status = 1
		}
	}
	return status
}

// linkUp waits up to wait for the card name to appear under sysNet, then
// sets it up.
func linkUp(name, sysNet string, wait time.Duration) error {
	if name == "" || len(name) >= unix.IFNAMSIZ || filepath.Base(name) != name {
		return fmt.Errorf("%q is not a network interface name", name)
	}
	deadline := time.Now().Add(wait)
	for {
		_, err := os.Stat(filepath.Join(sysNet, name))
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("interface %s: %w", name, err)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("interface %s: none appeared in %s", name, wait)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("interface %s: socket: %w", name, err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq(name)
	if err != nil {
		return fmt.Errorf("interface %s: %w", name, err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("interface %s: read its flags: %w", name, err)
	}
	if ifr.Uint16()&unix.IFF_UP != 0 {
		return nil
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("interface %s: set it up: %w", name, err)
	}
	return nil
}
