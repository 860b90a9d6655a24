package vm

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The private network's socket stays in the given directory unless that
// path is too long for a unix socket (Bazel's deep TEST_TMPDIR).
func TestHubSocketPath(t *testing.T) {
	dir := t.TempDir()
	h, err := NewHub(dir)
	if err != nil || h.Path() != filepath.Join(dir, "hub.sock") || h.dir != "" {
		t.Fatalf("short dir: %v, %v", h, err)
	}
	h.Close()
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 120))
	if err := os.MkdirAll(long, 0o755); err != nil {
		t.Fatal(err)
	}
	h, err = NewHub(long)
	if err != nil {
		t.Fatalf("long dir: %v", err)
	}
	if len(h.Path()) > MaxSocketPath || h.dir == "" || filepath.Dir(h.Path()) != h.dir {
		t.Errorf("long dir: socket %q (dir %q)", h.Path(), h.dir)
	}
	if err := h.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if _, err := os.Stat(h.dir); !os.IsNotExist(err) {
		t.Errorf("the short directory %s outlived Close: %v", h.dir, err)
	}
}

func TestLastLines(t *testing.T) {
	for _, tc := range []struct {
		text string
		n    int
		want string
	}{
		{"", 3, ""},
		{"one\n", 3, "one"},
		{"a\nb\n\n  \nc\r\nd\n\n", 3, "b | c | d"},
		{"strata-ignition: Ignition failed in stage disks; see its log above\r\n", 1, "strata-ignition: Ignition failed in stage disks; see its log above"},
	} {
		if got := LastLines(tc.text, tc.n); got != tc.want {
			t.Errorf("LastLines(%q, %d) = %q, want %q", tc.text, tc.n, got, tc.want)
		}
	}
}

// A guest forward's relay is this program run again with relayArg: it
// carries the guest's connection to the socket and back, passing on the
// guest's end of request.
func TestRelay(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "s.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		req, _ := io.ReadAll(c) // to the guest's half-close
		_, _ = c.Write(bytes.ToUpper(req))
	}()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, relayArg, sock)
	cmd.Stdin = strings.NewReader("get /latest/meta-data\n")
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "GET /LATEST/META-DATA\n" {
		t.Errorf("relay: %q, %v", out, err)
	}
	cmd = exec.Command(self, relayArg, filepath.Join(t.TempDir(), "none.sock"))
	cmd.Stdin = strings.NewReader("x")
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "strata guest forward to") || !strings.Contains(string(out), "none.sock") {
		t.Errorf("relay to a missing socket: %q, %v", out, err)
	}
}

func TestArgs(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		cfg  Config
		want []string // each in order, as one string
		err  string
	}{
		{name: "defaults", cfg: Config{Name: "m1", Dir: dir, Kernel: "k", Initrd: "i", Cmdline: "console=ttyS0"},
			want: []string{"-accel tcg -m 512 -smp 1", "-netdev user,id=pub -device", "-kernel k -initrd i -append console=ttyS0"}},
		{name: "a disk under bios prints on serial", cfg: Config{Name: "m1", Dir: dir, Firmware: "bios"},
			want: []string{"-machine graphics=off"}},
		{name: "ssh, network, forwards", cfg: Config{Name: "m1", Dir: dir, Net: UserNet{SSHPort: 2222, Network: "169.254.0.0/16",
			Forwards: []Forward{{Addr: "169.254.169.254:80", Socket: "/tmp/md.sock"}}}},
			want: []string{"-netdev user,id=pub,net=169.254.0.0/16,hostfwd=tcp:127.0.0.1:2222-:22,guestfwd=tcp:169.254.169.254:80-cmd:" + self + " " + relayArg + " /tmp/md.sock -device"}},
		{name: "private network and smbios", cfg: Config{Name: "m1", Dir: dir, PrivateNet: "/tmp/hub.sock", PrivateMAC: "52:54:00:77:00:02",
			SMBIOS: []string{"type=1,manufacturer=Amazon EC2"}},
			want: []string{"-netdev stream,id=priv,server=off,addr.type=unix,addr.path=/tmp/hub.sock -device virtio-net-pci,netdev=priv,mac=52:54:00:77:00:02,romfile=", "-smbios type=1,manufacturer=Amazon EC2"}},
		{name: "a forward to a socket path QEMU would split", cfg: Config{Dir: dir, Net: UserNet{Forwards: []Forward{{Addr: "169.254.169.254:80", Socket: "/tmp/a,b.sock"}}}},
			err: `path "/tmp/a,b.sock" has a character QEMU's guestfwd cannot carry`},
		{name: "a forward without a port", cfg: Config{Dir: dir, Net: UserNet{Forwards: []Forward{{Addr: "169.254.169.254", Socket: "/tmp/md.sock"}}}},
			err: `guest forward "169.254.169.254"`},
		{name: "a detachable machine's console goes to a file", cfg: Config{Name: "m1", Dir: dir, Detachable: true},
			want: []string{"-chardev file,id=console,append=on,path=" + filepath.Join(dir, "console.log") + " -serial chardev:console"}},
		{name: "a detachable machine's directory with a comma", cfg: Config{Dir: "/tmp/a,b", Detachable: true}, err: `machine directory "/tmp/a,b"`},
		{name: "extra cards on networks of their own", cfg: Config{Name: "m1", Dir: dir, ExtraNICs: 2},
			want: []string{"-netdev user,id=nic1,net=10.0.10.0/24 -device virtio-net-pci,netdev=nic1,romfile=", "-netdev user,id=nic2,net=10.0.11.0/24"}},
		{name: "unknown firmware", cfg: Config{Dir: dir, Firmware: "coreboot"}, err: `firmware "coreboot": want bios, uefi or uefi-secure`},
		{name: "a disk without its format", cfg: Config{Dir: dir, Disk: "/tmp/x.img"}, err: "root disk overlay on /tmp/x.img: no format given"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args, err := Args(tc.cfg)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			line := strings.Join(args, " ")
			for _, w := range tc.want {
				if !strings.Contains(line, w) {
					t.Errorf("args lack %q:\n%s", w, line)
				}
			}
		})
	}
}

// An overlay given a size is that big to the guest; without one, the
// base's size.
func TestOverlaySize(t *testing.T) {
	if _, err := exec.LookPath("qemu-img"); err != nil {
		t.Skip("qemu-img not installed")
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "base.qcow2")
	if out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", base, "2M").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	for name, size := range map[string]int64{"same.qcow2": 0, "grown.qcow2": 8 << 20} {
		p, err := Overlay(dir, name, base, "qcow2", size)
		if err != nil {
			t.Fatal(err)
		}
		got, err := VirtualSize(p)
		want := size
		if want == 0 {
			want = 2 << 20
		}
		if err != nil || got != want {
			t.Errorf("%s: virtual size %d, %v; want %d", name, got, err, want)
		}
	}
	if _, err := VirtualSize(filepath.Join(dir, "none")); err == nil || !strings.Contains(err.Error(), "none") {
		t.Errorf("VirtualSize of a missing file: %v", err)
	}
}
