package qemu

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/strata-os/strata/core/platform"
	"golang.org/x/sys/unix"
)

// swtpmReady is how long swtpm may take to listen on its socket.
const swtpmReady = 10 * time.Second

// startTPM starts the machine's software TPM 2.0 and returns QEMU's
// arguments for it. swtpm ends when QEMU closes its socket (--terminate),
// with kola (Pdeathsig, unless the machine may be kept), or at Destroy.
func (m *machine) startTPM() ([]string, error) {
	state := filepath.Join(m.dir, "tpm")
	if err := os.MkdirAll(state, 0o700); err != nil {
		return nil, platform.Infra("TPM state", err)
	}
	sock := filepath.Join(m.dir, "swtpm.sock")
	cmd := exec.Command("swtpm", "socket", "--tpm2", "--tpmstate", "dir="+state,
		"--ctrl", "type=unixio,path="+sock, "--terminate",
		"--log", "file="+filepath.Join(m.dir, "swtpm.log"))
	cmd.SysProcAttr = &unix.SysProcAttr{Setpgid: true, Pdeathsig: unix.SIGKILL}
	if m.cluster.flight.keep {
		// A machine that may be kept needs its TPM after kola; swtpm
		// ends with QEMU (--terminate), which its guard kills.
		cmd.SysProcAttr.Pdeathsig = 0
	}
	if err := cmd.Start(); err != nil {
		return nil, platform.Infra("start swtpm", err)
	}
	m.tpm = cmd
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	m.tpmExited = exited
	deadline := time.Now().Add(swtpmReady)
	for {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		select {
		case err := <-exited:
			log, _ := os.ReadFile(filepath.Join(m.dir, "swtpm.log"))
			return nil, platform.Infra("start swtpm", fmt.Errorf("exited (%v): %s", err, log))
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			m.stopTPM()
			return nil, platform.Infra("start swtpm", fmt.Errorf("no socket %s after %v", sock, swtpmReady))
		}
	}
	return []string{
		"-chardev", "socket,id=tpm,path=" + sock,
		"-tpmdev", "emulator,id=tpm,chardev=tpm",
		"-device", "tpm-tis,tpmdev=tpm",
	}, nil
}

// stopTPM kills the machine's swtpm, if it has one, and waits for it.
func (m *machine) stopTPM() {
	if m.tpm == nil || m.tpm.Process == nil {
		return
	}
	_ = unix.Kill(-m.tpm.Process.Pid, unix.SIGKILL)
	select {
	case <-m.tpmExited:
	case <-time.After(10 * time.Second):
	}
	m.tpm = nil
}
