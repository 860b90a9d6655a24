package guestinit

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-os/strata/agent/sshd"
	"golang.org/x/sys/unix"
)

// fwCfgDir is where the kernel's qemu_fw_cfg module shows QEMU's items.
const fwCfgDir = "/sys/firmware/qemu_fw_cfg/by_name"

// FwCfg names of strata's items; the qemu provider sets them.
const (
	FwCfgAuthorizedKeys = "opt/strata/authorized_keys"
	FwCfgHostname       = "opt/strata/hostname"
	FwCfgNetwork        = "opt/strata/network"
	FwCfgUserData       = "opt/strata/userdata"
)

// moduleOrder lists the kernel modules to load, in dependency order; the
// image builder writes it.
const moduleOrder = "/lib/modules/strata.order"

// Services brings the machine up and serves SSH; it returns only on error.
func Services() error {
	start := uptime()
	var phases []string
	mark := func(name string, since *float64) {
		now := uptime()
		phases = append(phases, fmt.Sprintf("%s %.2fs", name, now-*since))
		*since = now
	}
	t := start
	if _, err := os.Stat("/bin/ls"); err != nil { // images normally ship the applet links
		if err := run("/bin/busybox", "--install", "-s", "/bin"); err != nil {
			return err
		}
	}
	mark("applets", &t)
	if err := loadModules(); err != nil {
		return err
	}
	mark("modules", &t)
	if h := fwCfg(FwCfgHostname); h != "" {
		_ = unix.Sethostname([]byte(strings.TrimSpace(h)))
	}
	if err := network(fwCfg(FwCfgNetwork)); err != nil {
		return err
	}
	mark("network", &t)
	if err := os.MkdirAll("/root/.ssh", 0o700); err != nil {
		return err
	}
	keys := "/root/.ssh/authorized_keys"
	if err := os.WriteFile(keys, []byte(fwCfg(FwCfgAuthorizedKeys)), 0o600); err != nil {
		return err
	}
	srv, err := sshd.New(sshd.Config{
		AuthorizedKeysFile: keys,
		Env:                []string{"PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/root", "USER=root", "SHELL=/bin/sh"},
		Logger:             slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", ":22")
	if err != nil {
		return fmt.Errorf("listen on :22: %w", err)
	}
	mark("sshd", &t)
	// The minimal image names this line (images.Image.SSHReadyLine):
	// kola dials as soon as it appears.
	fmt.Printf("strata-init: ssh ready (%.2fs after boot; services started at %.2fs: %s)\n", uptime(), start, strings.Join(phases, ", "))
	if ud := fwCfg(FwCfgUserData); ud != "" {
		go runUserData(ud)
	}
	return srv.Serve(context.Background(), l)
}

// loadModules loads the modules named in moduleOrder with finit_module.
func loadModules() error {
	b, err := os.ReadFile(moduleOrder)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, name := range strings.Fields(string(b)) {
		f, err := os.Open(filepath.Join(filepath.Dir(moduleOrder), name))
		if err != nil {
			return err
		}
		err = unix.FinitModule(int(f.Fd()), "", 0)
		f.Close()
		if err != nil && err != unix.EEXIST {
			return fmt.Errorf("load module %s: %w", name, err)
		}
	}
	return nil
}

func fwCfg(name string) string {
	b, err := os.ReadFile(filepath.Join(fwCfgDir, name, "raw"))
	if err != nil {
		return ""
	}
	return string(b)
}

// network configures lo, eth0 on QEMU's user network (its fixed
// 10.0.2.0/24 layout) and each "IFACE ADDR/PREFIX" line of the private
// network item.
func network(private string) error {
	if err := waitFor("/sys/class/net/eth0", 5*time.Second); err != nil {
		return fmt.Errorf("no eth0: %w", err)
	}
	cmds := [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"ip", "link", "set", "eth0", "up"},
		{"ip", "addr", "add", "10.0.2.15/24", "dev", "eth0"},
		{"ip", "route", "add", "default", "via", "10.0.2.2"},
	}
	sc := bufio.NewScanner(strings.NewReader(private))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		if err := waitFor("/sys/class/net/"+f[0], 5*time.Second); err != nil {
			return fmt.Errorf("no %s: %w", f[0], err)
		}
		cmds = append(cmds, []string{"ip", "link", "set", f[0], "up"}, []string{"ip", "addr", "add", f[1], "dev", f[0]})
	}
	for _, c := range cmds {
		if err := run(c[0], c[1:]...); err != nil {
			return err
		}
	}
	return os.WriteFile("/etc/resolv.conf", []byte("nameserver 10.0.2.3\n"), 0o644)
}

func waitFor(path string, d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		if _, err := os.Stat(path); err == nil {
			return nil
		} else if time.Now().After(deadline) {
			return err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func runUserData(script string) {
	path := "/run/strata-userdata"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		fmt.Printf("strata-init: userdata: %v\n", err)
		return
	}
	cmd := exec.Command(path)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stdout
	err := cmd.Run()
	status := 0
	if ee, ok := err.(*exec.ExitError); ok {
		status = ee.ExitCode()
	} else if err != nil {
		status = -1
	}
	fmt.Printf("strata-init: userdata exited with status %d\n", status)
	_ = os.WriteFile("/run/strata-userdata.status", []byte(fmt.Sprintln(status)), 0o644)
}

func run(name string, args ...string) error {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func uptime() float64 {
	var si unix.Sysinfo_t
	b, err := os.ReadFile("/proc/uptime")
	if err == nil {
		var up float64
		if _, err := fmt.Sscanf(string(b), "%f", &up); err == nil {
			return up
		}
	}
	_ = unix.Sysinfo(&si)
	return float64(si.Uptime)
}
