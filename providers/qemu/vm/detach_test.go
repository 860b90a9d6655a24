package vm

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// guardHelperEnv makes the test binary the process a guard watches over:
// it starts a guard and a process group for it to watch (a shell naming
// the directory given), releases the guard if told "release", prints the
// group's ID and waits to be killed.
const guardHelperEnv = "STRATA_VM_GUARD_HELPER"

func init() {
	mode := os.Getenv(guardHelperEnv)
	if mode == "" {
		return
	}
	dir := os.Args[len(os.Args)-1]
	g, err := startGuard()
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	cmd := exec.Command("/bin/sh", "-c", "sleep 300; :", filepath.Join(dir, "marker"))
	cmd.SysProcAttr = &unix.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if err := g.watch(cmd.Process.Pid); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if mode == "release" {
		if err := g.release(); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
	}
	fmt.Println(cmd.Process.Pid)
	select {}
}

// startWatched runs the helper and returns the process group it made.
func startWatched(t *testing.T, mode, dir string) (helper *exec.Cmd, pgid int) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	helper = exec.Command(self, "-test.run=^$", dir)
	helper.Env = append(os.Environ(), guardHelperEnv+"="+mode)
	out, err := helper.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := helper.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("helper: %v", err)
	}
	pgid, err = strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("helper said %q", line)
	}
	t.Cleanup(func() { _ = unix.Kill(-pgid, unix.SIGKILL) })
	return helper, pgid
}

func gone(pid int, dir string, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if !RunsIn(pid, dir) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// A detachable machine dies with the process that started it, even by
// SIGKILL, unless it was released; a released one is killed by KillGroup
// from elsewhere, and only when the process is the machine of that
// directory.
func TestGuard(t *testing.T) {
	t.Run("dies with its starter", func(t *testing.T) {
		dir := t.TempDir()
		helper, pgid := startWatched(t, "watch", dir)
		if !RunsIn(pgid, dir) {
			t.Fatalf("the watched process %d is not running with %s", pgid, dir)
		}
		_ = helper.Process.Kill()
		_ = helper.Wait()
		if !gone(pgid, dir, 10*time.Second) {
			t.Fatalf("process group %d outlived its starter by 10 s", pgid)
		}
	})
	t.Run("released outlives its starter", func(t *testing.T) {
		dir := t.TempDir()
		helper, pgid := startWatched(t, "release", dir)
		_ = helper.Process.Kill()
		_ = helper.Wait()
		if gone(pgid, dir, time.Second) {
			t.Fatalf("released process group %d died with its starter", pgid)
		}
		if running, err := KillGroup(context.Background(), pgid, t.TempDir()); running || err != nil {
			t.Fatalf("KillGroup with another directory: %v, %v (it must not touch the process)", running, err)
		}
		if !RunsIn(pgid, dir) {
			t.Fatal("KillGroup with another directory killed the process")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if running, err := KillGroup(ctx, pgid, dir); !running || err != nil {
			t.Fatalf("KillGroup: %v, %v", running, err)
		}
		if RunsIn(pgid, dir) {
			t.Fatal("KillGroup returned with the process alive")
		}
		if running, err := KillGroup(ctx, pgid, dir); running || err != nil {
			t.Fatalf("KillGroup of a gone machine: %v, %v", running, err)
		}
	})
}

// A detachable machine's console is read from its file as QEMU writes it,
// to the end once QEMU is gone.
func TestTail(t *testing.T) {
	path := filepath.Join(t.TempDir(), consoleLogName)
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		mu  sync.Mutex
		got bytes.Buffer
	)
	seen := func() string {
		mu.Lock()
		defer mu.Unlock()
		return got.String()
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		tail(path, done, func(p []byte) {
			mu.Lock()
			got.Write(p)
			mu.Unlock()
		})
		close(finished)
	}()
	fmt.Fprint(f, "first line\n")
	deadline := time.Now().Add(5 * time.Second)
	for seen() != "first line\n" {
		if time.Now().After(deadline) {
			t.Fatalf("tail read %q of a written line in 5 s", seen())
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprint(f, "last words\n")
	close(done)
	<-finished
	if seen() != "first line\nlast words\n" {
		t.Errorf("tail read %q", seen())
	}
	// A file that is not there is said in the console, not a hang.
	var msg string
	tail(filepath.Join(t.TempDir(), "none"), done, func(p []byte) { msg += string(p) })
	if !strings.Contains(msg, "cannot read the console file") {
		t.Errorf("missing file: %q", msg)
	}
}

func TestIsZombie(t *testing.T) {
	for stat, want := range map[string]bool{
		"123 (qemu) S 1 123":           false,
		"123 (a) Z) Z 1 123":           true,
		"123 (qemu-system-x86) R 1 12": false,
		"garbage":                      false,
	} {
		if got := isZombie([]byte(stat)); got != want {
			t.Errorf("isZombie(%q) = %v", stat, got)
		}
	}
}
