package initrdbus

import (
	"bufio"
	"context"
	"encoding/hex"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	sddbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"
)

// fixture is a server on a socket of its own, with a /dev and a udev
// database in a temporary directory.
type fixture struct {
	root, udev, socket string
	srv                *Server
	stop               func()
}

func newFixture(t *testing.T, timeout time.Duration) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{root: filepath.Join(dir, "root"), udev: filepath.Join(dir, "udev"), socket: filepath.Join(dir, "private")}
	for _, d := range []string{filepath.Join(f.root, "dev", "disk", "by-label"), f.udev} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l, err := net.Listen("unix", f.socket)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = &Server{Version: "252", DeviceTimeout: timeout, UdevData: f.udev, Root: f.root, PollInterval: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.srv.Serve(ctx, l) }()
	f.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}
	t.Cleanup(func() {
		if ctx.Err() == nil {
			f.stop()
		}
	})
	return f
}

// plug makes dev a device node in the fixture's /dev (a link to the
// host's /dev/null, character device 1:3).
func (f *fixture) plug(t *testing.T, dev string) {
	t.Helper()
	if err := os.Symlink("/dev/null", filepath.Join(f.root, dev)); err != nil {
		t.Fatal(err)
	}
}

// udevDone writes udev's database entry for /dev/null.
func (f *fixture) udevDone(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.udev, "c1:3"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
}

// systemdConn connects the way Ignition does (go-systemd's direct
// connection to systemd: EXTERNAL with the uid, no Hello), to the
// fixture's socket instead of /run/systemd/private.
func (f *fixture) systemdConn(t *testing.T, user string) (*sddbus.Conn, error) {
	t.Helper()
	return sddbus.NewConnection(func() (*dbus.Conn, error) {
		c, err := dbus.Dial("unix:path=" + f.socket)
		if err != nil {
			return nil, err
		}
		if err := c.Auth([]dbus.Auth{dbus.AuthExternal(user)}); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	})
}

// connect is systemdConn as the test's own user, closed when the test
// ends.
func (f *fixture) connect(t *testing.T) *sddbus.Conn {
	t.Helper()
	c, err := f.systemdConn(t, me())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func me() string { return strconv.Itoa(os.Geteuid()) }

// TestDeviceJobs runs Ignition's own wait (StartUnit, then JobRemoved)
// through go-systemd against the server.
func TestDeviceJobs(t *testing.T) {
	tests := []struct {
		name    string
		unit    string
		plug    string // device made after the call ("" for none)
		udev    bool   // udev's entry written after the node
		want    string // the job's result
		wantErr string // StartUnit's error
	}{
		{name: "node and udev entry appear", unit: "dev-vdb.device", plug: "dev/vdb", udev: true, want: "done"},
		{name: "link made by udev", unit: `dev-disk-by\x2dlabel-data.device`, plug: "dev/disk/by-label/data", udev: true, want: "done"},
		{name: "node without udev's entry", unit: "dev-vdb.device", plug: "dev/vdb", want: "timeout"},
		{name: "no node", unit: "dev-vdc.device", want: "timeout"},
		{name: "a service", unit: "sshd.service", wantErr: "device units only"},
		{name: "outside /dev", unit: "sys-block-vdb.device", wantErr: "not under /dev"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 500*time.Millisecond)
			c := f.connect(t)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			result := make(chan string, 1)
			_, err := c.StartUnitContext(ctx, tc.unit, "replace", result)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("StartUnit: %v, want an error saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("StartUnit: %v", err)
			}
			if tc.plug != "" {
				time.Sleep(30 * time.Millisecond)
				f.plug(t, tc.plug)
				if tc.udev {
					time.Sleep(30 * time.Millisecond)
					f.udevDone(t)
				}
			}
			select {
			case got := <-result:
				if got != tc.want {
					t.Errorf("job result %q, want %q", got, tc.want)
				}
			case <-ctx.Done():
				t.Fatal("no JobRemoved signal")
			}
		})
	}
}

// TestJobsEndOnShutdown: the server stops with a job still waiting, and a
// result its client hears of is canceled.
func TestJobsEndOnShutdown(t *testing.T) {
	f := newFixture(t, time.Minute)
	c := f.connect(t)
	result := make(chan string, 1)
	if _, err := c.StartUnitContext(context.Background(), "dev-vdb.device", "replace", result); err != nil {
		t.Fatal(err)
	}
	stopped := make(chan struct{})
	go func() { f.stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return with a job waiting")
	}
	// The signal may or may not beat the connection's close; either
	// way the job must not still be counted as waiting.
	select {
	case got := <-result:
		if got != "canceled" {
			t.Errorf("job result %q, want canceled", got)
		}
	default:
	}
}

// TestManagerVersionAndUnknownCalls: the version Ignition's files stage
// asks for, and an error naming any call not answered here.
func TestManagerVersionAndUnknownCalls(t *testing.T) {
	f := newFixture(t, time.Second)
	c := f.connect(t)
	v, err := c.GetManagerProperty("Version")
	if err != nil || v != `"252"` {
		t.Errorf("Version: %q, %v; want \"252\"", v, err)
	}
	if _, err := c.GetManagerProperty("Architecture"); err == nil || !strings.Contains(err.Error(), "Architecture") {
		t.Errorf("Architecture: %v, want an error naming it", err)
	}
	_, err = c.ListUnitsContext(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ListUnits") {
		t.Errorf("ListUnits: %v, want an error naming it", err)
	}
}

// TestAuthentication speaks the handshake by hand: only the peer's own
// uid is admitted, whether claimed in the AUTH line or left to the
// server (godbus's way), and anything out of place is answered, not
// hung on.
func TestAuthentication(t *testing.T) {
	other := "4242"
	if me() == other {
		other = "4243"
	}
	hexOf := func(s string) string { return hex.EncodeToString([]byte(s)) }
	tests := []struct {
		name  string
		send  string
		wants []string // one reply line per line sent
	}{
		{"own uid claimed", "AUTH EXTERNAL " + hexOf(me()), []string{"OK "}},
		{"another uid claimed", "AUTH EXTERNAL " + hexOf(other), []string{"REJECTED EXTERNAL"}},
		{"uid left to the server", "AUTH\r\nAUTH EXTERNAL\r\nDATA", []string{"REJECTED EXTERNAL", "DATA", "OK "}},
		{"another uid as data", "AUTH EXTERNAL\r\nDATA " + hexOf(other), []string{"DATA", "REJECTED EXTERNAL"}},
		{"not hex", "AUTH EXTERNAL zz", []string{"REJECTED EXTERNAL"}},
		{"other mechanism", "AUTH ANONYMOUS", []string{"REJECTED EXTERNAL"}},
		{"begin before auth", "BEGIN", []string{"ERROR"}},
		{"unix fds", "AUTH EXTERNAL " + hexOf(me()) + "\r\nNEGOTIATE_UNIX_FD", []string{"OK ", "ERROR"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, time.Second)
			nc, err := net.Dial("unix", f.socket)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := nc.Write([]byte("\x00" + tc.send + "\r\n")); err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(nc)
			for _, want := range tc.wants {
				line, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("read reply: %v (want %q)", err, want)
				}
				if !strings.HasPrefix(line, want) {
					t.Errorf("reply %q, want %q", line, want)
				}
			}
		})
	}
	t.Run("no nul byte", func(t *testing.T) {
		f := newFixture(t, time.Second)
		nc, err := net.Dial("unix", f.socket)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		nc.Write([]byte("AUTH EXTERNAL\r\n"))
		if b, err := io.ReadAll(nc); err != nil || len(b) != 0 {
			t.Errorf("got %q, %v; want the connection closed", b, err)
		}
	})
}

// TestOtherClients speaks to the server with D-Bus implementations other
// than the one Ignition links: systemd's sd-bus (busctl, which claims
// its uid in the AUTH line) and the reference libdbus (dbus-send).
func TestOtherClients(t *testing.T) {
	f := newFixture(t, 2*time.Second)
	f.plug(t, "dev/vdb")
	f.udevDone(t)
	addr := "unix:path=" + f.socket
	tests := []struct {
		tool string
		args []string
		want string
	}{
		{"busctl", []string{"--address=" + addr, "call", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			"org.freedesktop.systemd1.Manager", "StartUnit", "ss", "dev-vdb.device", "replace"}, `o "/org/freedesktop/systemd1/job/`},
		{"busctl", []string{"--address=" + addr, "get-property", "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			"org.freedesktop.systemd1.Manager", "Version"}, `s "252"`},
		{"dbus-send", []string{"--bus=" + addr, "--print-reply", "--dest=org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			"org.freedesktop.DBus.Properties.Get", "string:org.freedesktop.systemd1.Manager", "string:Version"}, `string "252"`},
		{"dbus-send", []string{"--bus=" + addr, "--print-reply", "--dest=org.freedesktop.systemd1", "/org/freedesktop/systemd1",
			"org.freedesktop.systemd1.Manager.StartUnit", "string:dev-vdb.device", "string:replace"}, `object path "/org/freedesktop/systemd1/job/`},
	}
	for _, tc := range tests {
		t.Run(tc.tool+" "+tc.args[len(tc.args)-1], func(t *testing.T) {
			path, err := exec.LookPath(tc.tool)
			if err != nil {
				t.Skipf("%s is not installed", tc.tool)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			out, err := exec.CommandContext(ctx, path, tc.args...).CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", tc.tool, err, out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("%s printed %q, want %q in it", tc.tool, out, tc.want)
			}
		})
	}
}
