package sshd

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/sshclient"
	"golang.org/x/crypto/ssh"
)

func start(t *testing.T) (addr, keysFile, home string) {
	t.Helper()
	home = t.TempDir()
	keysFile = filepath.Join(t.TempDir(), "authorized_keys")
	s, err := New(Config{AuthorizedKeysFile: keysFile, Env: []string{"HOME=" + home, "PATH=/usr/bin:/bin"}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go s.Serve(ctx, l)
	return l.Addr().String(), keysFile, home
}

func dial(t *testing.T, addr string, k *sshclient.KeyPair, timeout time.Duration) (*ssh.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return sshclient.Dial(ctx, addr, sshclient.DialOptions{User: "root", Signer: k.Signer, RetryInterval: 50 * time.Millisecond})
}

func TestExecAndAuth(t *testing.T) {
	addr, keys, home := start(t)
	k, _ := sshclient.GenerateKey("t")
	if _, err := dial(t, addr, k, 300*time.Millisecond); err == nil {
		t.Fatal("login without an authorized key")
	}
	if err := os.WriteFile(keys, []byte("# comment\n\n"+k.AuthorizedKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := dial(t, addr, k, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()

	out, _, err := sshclient.Output(ctx, c, "pwd; echo err >&2")
	if err != nil || strings.TrimSpace(string(out)) != home {
		t.Errorf("pwd = %q, %v; want the HOME %s", out, err, home)
	}
	_, stderr, err := sshclient.Output(ctx, c, "echo bad >&2; exit 9")
	var ee *sshclient.ExitError
	if !errors.As(err, &ee) || ee.Status != 9 || string(stderr) != "bad\n" {
		t.Errorf("exit 9: %v stderr %q", err, stderr)
	}
	// stdin reaches the command: CopyFile relies on it.
	dst := filepath.Join(home, "f")
	if err := sshclient.CopyFile(ctx, c, strings.NewReader("content"), dst, 0o640); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "content" {
		t.Errorf("copied %q", b)
	}
	// A hung command is killed when its context ends, and the server
	// reports it as killed.
	cctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := sshclient.Run(cctx, c, "sleep 60", nil, nil, nil); err == nil || time.Since(start) > 10*time.Second {
		t.Errorf("sleep: %v after %v", err, time.Since(start))
	}
}

func TestShellWithPTY(t *testing.T) {
	addr, keys, _ := start(t)
	k, _ := sshclient.GenerateKey("t")
	_ = os.WriteFile(keys, []byte(k.AuthorizedKey+"\n"), 0o600)
	c, err := dial(t, addr, k, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var out strings.Builder
	err = sshclient.Shell(context.Background(), c, strings.NewReader("tty; echo marker-$((40+2)); exit\n"), &out, &out)
	if err != nil || !strings.Contains(out.String(), "marker-42") || !strings.Contains(out.String(), "/dev/pts/") {
		t.Errorf("shell: %v, output %q", err, out.String())
	}
}
