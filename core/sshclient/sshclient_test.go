package sshclient

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/strata-os/strata/core/sshclient/sshtest"
	"golang.org/x/crypto/ssh"
)

func newServer(t *testing.T, key *KeyPair, dir string) *sshtest.Server {
	t.Helper()
	s, err := sshtest.NewServer(sshtest.LocalShell(dir), key.Signer.PublicKey())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testKey(t *testing.T) *KeyPair {
	t.Helper()
	k, err := GenerateKey("kola@test")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// connect starts a server running commands in a temp dir and dials it.
func connect(t *testing.T) (*ssh.Client, string) {
	t.Helper()
	dir := t.TempDir()
	_, c := connectServer(t, dir)
	return c, dir
}

// connectServer starts a server running commands in dir and dials it,
// for tests that act on the server too (Freeze).
func connectServer(t *testing.T, dir string) (*sshtest.Server, *ssh.Client) {
	t.Helper()
	k := testKey(t)
	s := newServer(t, k, dir)
	c, err := Dial(context.Background(), s.Addr, fastDial(k))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return s, c
}

func fastDial(k *KeyPair) DialOptions {
	return DialOptions{User: "core", Signer: k.Signer, RetryInterval: 50 * time.Millisecond, AttemptTimeout: time.Second}
}

func TestKeyPair(t *testing.T) {
	k := testKey(t)
	if !strings.HasPrefix(k.AuthorizedKey, "ssh-ed25519 ") || !strings.HasSuffix(k.AuthorizedKey, " kola@test") {
		t.Errorf("authorized key %q", k.AuthorizedKey)
	}
	path := filepath.Join(t.TempDir(), "id")
	if err := k.WritePrivateKey(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key file mode %v, %v", fi.Mode(), err)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "OPENSSH PRIVATE KEY") {
		t.Errorf("not an OpenSSH key: %.40s", b)
	}
	if strings.Contains(k.String(), "PRIVATE") {
		t.Error("String leaks the private key")
	}
	back, err := ReadPrivateKey(path)
	if err != nil {
		t.Fatalf("ReadPrivateKey: %v", err)
	}
	if !strings.HasPrefix(k.AuthorizedKey, back.AuthorizedKey) || !bytes.Equal(back.Signer.PublicKey().Marshal(), k.Signer.PublicKey().Marshal()) {
		t.Errorf("read back %q, wrote %q", back.AuthorizedKey, k.AuthorizedKey)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPrivateKey(path); err == nil || !strings.Contains(err.Error(), "lets others read it") {
		t.Errorf("a key others can read: %v", err)
	}
	garbage := filepath.Join(t.TempDir(), "garbage")
	if err := os.WriteFile(garbage, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadPrivateKey(garbage); err == nil || !strings.Contains(err.Error(), garbage) {
		t.Errorf("a file that is not a key: %v", err)
	}
	if _, err := ReadPrivateKey(filepath.Join(t.TempDir(), "none")); err == nil {
		t.Error("a missing key file read")
	}
}

func TestRunAndExitStatus(t *testing.T) {
	c, _ := connect(t)
	ctx := context.Background()

	out, _, err := Output(ctx, c, "echo hello; echo oops >&2")
	if err != nil || string(out) != "hello\n" {
		t.Errorf("Output = %q, %v", out, err)
	}
	_, _, err = Output(ctx, c, "echo failing >&2; exit 7")
	var ee *ExitError
	if !errors.As(err, &ee) || ee.Status != 7 || !strings.Contains(err.Error(), "failing") {
		t.Errorf("exit 7: %v", err)
	}

	// A command that outlives its context is killed.
	cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = Run(cctx, c, "sleep 30", nil, nil, nil)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("hung command: %v after %v", err, time.Since(start))
	}
}

func TestCopyFile(t *testing.T) {
	c, dir := connect(t)
	ctx := context.Background()
	dst := filepath.Join(dir, "it's a file")
	if err := CopyFile(ctx, c, strings.NewReader("payload"), dst, 0o751); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(dst)
	fi, _ := os.Stat(dst)
	if err != nil || string(b) != "payload" || fi.Mode().Perm() != 0o751 {
		t.Errorf("copied %q mode %v err %v", b, fi.Mode(), err)
	}
	err = CopyFile(ctx, c, strings.NewReader("x"), filepath.Join(dir, "no", "such", "dir", "f"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "copy to") {
		t.Errorf("copy into missing dir: %v", err)
	}
}

// Dial keeps trying while the machine boots, and gives up with a message
// naming the address when it never comes.
func TestDialRetries(t *testing.T) {
	k := testKey(t)
	s := newServer(t, k, t.TempDir())
	s.Down()
	go func() {
		time.Sleep(300 * time.Millisecond)
		if err := s.Up(); err != nil {
			t.Error(err)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, s.Addr, fastDial(k))
	if err != nil {
		t.Fatalf("dial after boot: %v", err)
	}
	c.Close()

	s.Down()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	_, err = Dial(ctx2, s.Addr, fastDial(k))
	var de *DialError
	if !errors.As(err, &de) || de.Attempts < 2 || !strings.Contains(err.Error(), s.Addr) {
		t.Errorf("dial to a dead machine: %v", err)
	}
}

func TestDialWrongKey(t *testing.T) {
	k := testKey(t)
	s := newServer(t, k, t.TempDir())
	other := testKey(t)
	// Long enough for an attempt to finish on a loaded machine; the
	// attempt the deadline cuts short is not the one reported.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := Dial(ctx, s.Addr, fastDial(other))
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("wrong key: %v", err)
	}
	// The key arriving late (cloud-init) is picked up by the retries.
	go func() { time.Sleep(200 * time.Millisecond); s.Authorize(other.Signer.PublicKey()) }()
	ctx3, cancel3 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel3()
	c, err := Dial(ctx3, s.Addr, fastDial(other))
	if err != nil {
		t.Fatalf("late key: %v", err)
	}
	c.Close()
}

func TestShell(t *testing.T) {
	c, _ := connect(t)
	ctx := context.Background()
	var out strings.Builder
	err := Shell(ctx, c, strings.NewReader("echo from-shell\nexit 3\n"), &out, &out)
	if err != nil || !strings.Contains(out.String(), "from-shell") {
		t.Errorf("shell: %v, output %q", err, out.String())
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"a": "'a'", "it's": `'it'\''s'`, "": "''"} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// A forwarder that accepts but never lets the server speak (QEMU's user
// network before the guest listens) costs one banner timeout, not the
// whole attempt timeout.
func TestDialBannerTimeout(t *testing.T) {
	k := testKey(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, silent
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = Dial(ctx, l.Addr().String(), DialOptions{User: "core", Signer: k.Signer, AttemptTimeout: time.Minute,
		BannerTimeout: 200 * time.Millisecond, RetryInterval: 10 * time.Millisecond})
	var de *DialError
	if !errors.As(err, &de) || de.Attempts < 5 {
		t.Errorf("got %v; want many short attempts within 3s", err)
	}
}

// forwarder stands for QEMU's user network in front of a guest: until
// listening is set it accepts connections and holds them, silent (and
// says so on held); after, it relays them to server, greetDelay late (a
// busy guest's sshd). conns counts the connections after listening.
type forwarder struct {
	addr      string
	held      chan struct{}
	listening atomic.Bool
	conns     atomic.Int32
}

func newForwarder(t *testing.T, server string, greetDelay time.Duration) *forwarder {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := &forwarder{addr: l.Addr().String(), held: make(chan struct{}, 64)}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				if !f.listening.Load() {
					f.held <- struct{}{}
					_, _ = io.Copy(io.Discard, c)
					return
				}
				f.conns.Add(1)
				time.Sleep(greetDelay)
				forward(c, server)
			}()
		}
	}()
	return f
}

// A wake from the machine (its console saying sshd listens) drops the
// attempt the forwarder holds and dials again at once, instead of waiting
// out the banner timeout and the pause between attempts (both a minute
// here, longer than the test's deadline); an attempt held before the wake
// is the only one. After the wake, a server slower to greet than the
// banner timeout (sshd on a busy emulated machine) is waited for on one
// connection, not dropped and dialled again and again: every connection
// given up on would cost the machine another sshd.
func TestDialWake(t *testing.T) {
	k := testKey(t)
	s := newServer(t, k, t.TempDir())
	for _, tc := range []struct {
		name          string
		banner, greet time.Duration
		before        time.Duration // the guest listens this long after the first held attempt
	}{
		{"wake-drops-held-attempt", time.Minute, 0, 0},
		{"one-attempt-until-wake", 50 * time.Millisecond, 0, time.Second},
		{"patient-after-wake", 100 * time.Millisecond, 300 * time.Millisecond, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newForwarder(t, s.Addr, tc.greet)
			wake := make(chan struct{}, 1)
			go func() {
				<-f.held // an attempt is in flight
				time.Sleep(tc.before)
				f.listening.Store(true)
				wake <- struct{}{}
			}()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := Dial(ctx, f.addr, DialOptions{User: "core", Signer: k.Signer, AttemptTimeout: time.Minute,
				BannerTimeout: tc.banner, RetryInterval: tc.banner, Wake: wake})
			if err != nil {
				t.Fatalf("dial: %v", err)
			}
			c.Close()
			if held := len(f.held); held != 0 {
				t.Errorf("%d more attempts held before the wake; want the one", held)
			}
			if n := f.conns.Load(); n != 1 {
				t.Errorf("%d connections after the wake; want 1, waited on", n)
			}
		})
	}
}

// Ctrl-C ends an attempt held for the machine's word at once, not when
// its banner timeout (here a minute) runs out.
func TestDialCancelEndsHeldAttempt(t *testing.T) {
	k := testKey(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held, silent
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	time.AfterFunc(200*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := Dial(ctx, l.Addr().String(), DialOptions{User: "core", Signer: k.Signer, AttemptTimeout: time.Minute,
			BannerTimeout: time.Minute, Wake: make(chan struct{})})
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("dial through a silent forwarder succeeded")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the cancelled dial still waits on its held attempt")
	}
}

// A machine that goes silent without closing the connection (a reboot
// behind QEMU's user network) fails the command it was running with
// ErrConnectionLost after the keepalive timeout, not at the end of the
// command's context; a machine that answers keepalives keeps a long
// command going.
func TestRunConnectionLost(t *testing.T) {
	fastKeepAlive(t)

	s, c := connectServer(t, t.TempDir())
	// Several keepalives go by while this runs.
	if err := Run(context.Background(), c, "sleep 1", nil, nil, nil); err != nil {
		t.Fatalf("a command on a live connection: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	time.AfterFunc(200*time.Millisecond, s.Freeze)
	start := time.Now()
	err := Run(ctx, c, "sleep 30", nil, nil, nil)
	if !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("after the machine went silent: %v, want ErrConnectionLost", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the command ran until its context ended (%v)", time.Since(start))
	}
	if Alive(c) {
		t.Error("the lost connection is still reported alive")
	}
}

// A machine that went silent before the command's session was opened
// (Reboot's probe, dialled to the old boot a moment before it went down)
// fails the same way: the session request is watched too.
func TestRunSessionOnSilentMachine(t *testing.T) {
	fastKeepAlive(t)

	s, c := connectServer(t, t.TempDir())
	s.Freeze()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	err := Run(ctx, c, "true", nil, nil, nil)
	if !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("a session asked of a silent machine: %v, want ErrConnectionLost", err)
	}
	if ctx.Err() != nil {
		t.Errorf("the session request waited until its context ended (%v)", time.Since(start))
	}

	// And a context that ends first ends the wait for the session.
	s2, c2 := connectServer(t, t.TempDir())
	keepAliveTimeout = time.Hour
	s2.Freeze()
	short, cancelShort := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancelShort()
	if err := Run(short, c2, "true", nil, nil, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a session request past its context: %v, want the deadline", err)
	}
}

// fastKeepAlive makes lost connections found in a fraction of a second
// for the rest of the test.
func fastKeepAlive(t *testing.T) {
	interval, timeout := keepAliveInterval, keepAliveTimeout
	keepAliveInterval, keepAliveTimeout = 50*time.Millisecond, 300*time.Millisecond
	t.Cleanup(func() { keepAliveInterval, keepAliveTimeout = interval, timeout })
}

// forward relays c to the server at addr until either side closes.
func forward(c net.Conn, addr string) {
	up, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { _, _ = io.Copy(up, c) }()
	_, _ = io.Copy(c, up)
}
