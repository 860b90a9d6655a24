package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
	"github.com/strata-os/strata/core/sshclient/sshtest"
)

// systemdFake answers the systemd commands bootchart runs, as a machine
// with (or without) systemd would.
func systemdFake(hasSystemd bool) *platformtest.Provider {
	return platformtest.New(platformtest.Options{Exec: func(m *platformtest.Machine, e *sshtest.Exec) (int, bool) {
		switch {
		case e.Command == "command -v systemd-analyze":
			if !hasSystemd {
				return 1, true
			}
			fmt.Fprintln(e.Stdout, "/usr/bin/systemd-analyze")
		case e.Command == "systemctl is-system-running --wait":
			fmt.Fprintln(e.Stdout, "running")
		case e.Command == "systemd-analyze plot":
			fmt.Fprintln(e.Stdout, `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><text>boot of `+m.ID()+`</text></svg>`)
		case e.Command == "systemd-analyze":
			fmt.Fprintln(e.Stdout, "Startup finished in 1.0s (kernel) + 2.0s (userspace) = 3.0s")
		default:
			return 0, false
		}
		return 0, true
	}})
}

func runWith(fake *platformtest.Provider, args ...string) (int, string) {
	providers := platform.NewRegistry()
	_ = providers.Register(fake.Registration())
	out := &syncBuf{}
	a := &app{stdin: strings.NewReader(""), stdout: out, stderr: out, providers: providers, tests: register.NewRegistry(), ctx: context.Background(), exit: func(int) {}}
	return a.main(args), out.String()
}

func TestBootchart(t *testing.T) {
	fake := systemdFake(true)
	dir := t.TempDir()
	code, out := runWith(fake, "bootchart", "-p", "fake", "--output-dir", dir)
	if code != 0 || !strings.Contains(out, "system running; Startup finished in 1.0s") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	svg, err := os.ReadFile(filepath.Join(dir, "fake-bootchart-latest", "bootchart.svg"))
	if err != nil || !strings.Contains(string(svg), "<svg") || !strings.Contains(string(svg), "boot of fake-m") {
		t.Errorf("bootchart.svg: %v %q", err, svg)
	}
	if len(fake.Live()) != 0 {
		t.Errorf("left running: %v", fake.Live())
	}

	fake = systemdFake(false)
	code, out = runWith(fake, "bootchart", "-p", "fake", "--output-dir", t.TempDir())
	if code != runner.ExitUsage || !strings.Contains(out, "bootchart needs an image with systemd") {
		t.Errorf("without systemd: exit %d\n%s", code, out)
	}
	if len(fake.Live()) != 0 {
		t.Errorf("left running: %v", fake.Live())
	}
}
