package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
	"github.com/strata-os/strata/core/sshclient"
	"github.com/strata-os/strata/tools/internal/syncbuf"
	"golang.org/x/crypto/ssh"
)

type syncBuf = syncbuf.Buffer

// fakeApp is kola on the fake platform with the given stdin and context.
func fakeApp(ctx context.Context, tests *register.Registry, stdin string) (*app, *syncBuf, *platformtest.Provider) {
	fake := platformtest.New(platformtest.Options{})
	providers := platform.NewRegistry()
	_ = providers.Register(fake.Registration())
	if tests == nil {
		tests = register.Default
	}
	out := &syncBuf{}
	return &app{stdin: strings.NewReader(stdin), stdout: out, stderr: out, providers: providers, tests: tests, ctx: ctx, exit: func(int) {}}, out, fake
}

var sshLine = regexp.MustCompile(`ssh -i (\S+) -p (\d+) .* (\w+)@(\S+)`)

// spawn keeps machines until interrupted, and the ssh command it prints
// (key file and port) gets in.
func TestSpawnUntilInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, out, fake := fakeApp(ctx, nil, "")
	outDir := t.TempDir()
	done := make(chan int)
	go func() { done <- a.main([]string{"spawn", "-p", "fake", "-n", "2", "--output-dir", outDir}) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "stay up until Ctrl-C") {
		if time.Now().After(deadline) {
			t.Fatalf("spawn did not come up:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(fake.Live()); n != 2 {
		t.Errorf("%d machines up, want 2", n)
	}
	m := sshLine.FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no ssh command in:\n%s", out.String())
	}
	keyFile, port, user, host := m[1], m[2], m[3], m[4]
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key %s: %v", keyFile, err)
	}
	pem, _ := os.ReadFile(keyFile)
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
	defer dcancel()
	c, err := sshclient.Dial(dctx, host+":"+port, sshclient.DialOptions{User: user, Signer: signer})
	if err != nil {
		t.Fatalf("the printed ssh command does not get in: %v", err)
	}
	c.Close()

	cancel() // Ctrl-C
	if code := <-done; code != 0 {
		t.Errorf("exit %d\n%s", code, out.String())
	}
	if live := fake.Live(); len(live) != 0 {
		t.Errorf("left running: %v", live)
	}
	consoles, _ := filepath.Glob(filepath.Join(outDir, "fake-spawn-latest", "*", "console.txt"))
	if len(consoles) != 2 {
		t.Errorf("consoles: %v", consoles)
	}
}

func TestSpawnShell(t *testing.T) {
	a, out, fake := fakeApp(context.Background(), nil, "echo in-spawn-shell\nexit\n")
	code := a.main([]string{"spawn", "-p", "fake", "--shell", "--output-dir", t.TempDir()})
	if code != 0 || !strings.Contains(out.String(), "in-spawn-shell") {
		t.Errorf("exit %d\n%s", code, out.String())
	}
	if len(fake.Live()) != 0 {
		t.Errorf("left running: %v", fake.Live())
	}
}

func TestSpawnBadUserdata(t *testing.T) {
	ud := filepath.Join(t.TempDir(), "broken.yaml")
	_ = os.WriteFile(ud, []byte("#cloud-config\nwrite_files:\n  - content: x\n"), 0o644)
	a, out, fake := fakeApp(context.Background(), nil, "")
	code := a.main([]string{"spawn", "-p", "fake", "--userdata", ud, "--output-dir", t.TempDir()})
	if code != runner.ExitUsage || !strings.Contains(out.String(), "broken.yaml: cloud-config write_files[0].path (line 3): is required") {
		t.Errorf("exit %d\n%s", code, out.String())
	}
	if len(fake.Created()) != 0 {
		t.Error("machines made despite bad userdata")
	}
}

// --ssh-on-failure opens a shell on the failed test's machine before it is
// destroyed.
func TestSSHOnFailure(t *testing.T) {
	reg := register.NewRegistry()
	_ = reg.Register(register.Test{Name: "x.broken", ClusterSize: 1, Run: func(c cluster.TestCluster) {
		c.MustSSH(c.Machines()[0], "echo $((6*7))-debug > left-for-debugging; false")
	}})
	a, out, fake := fakeApp(context.Background(), reg, "cat left-for-debugging\nexit\n")
	code := a.main([]string{"run", "-p", "fake", "--ssh-on-failure", "--output-dir", t.TempDir()})
	s := out.String()
	if code != runner.ExitFailed || !strings.Contains(s, "kola: x.broken failed:") || !strings.Contains(s, "42-debug") {
		t.Errorf("exit %d\n%s", code, s)
	}
	if len(fake.Live()) != 0 {
		t.Errorf("left running: %v", fake.Live())
	}
}
