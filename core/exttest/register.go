package exttest

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/sshclient"
)

// SkipStatus is the exit status of a test that does not apply (as
// autopkgtest's and upstream's).
const SkipStatus = 77

// remoteDir holds a test's executable and data on its machine, relative
// to the SSH user's home (written without root; the test runs as root).
const remoteDir = "kola-ext"

// Test returns t as a kola test: one machine, with t's config as its
// userdata, that gets the executable and its data over SSH and runs it
// as root with KOLA_EXT_DATA, KOLA_TEST and KOLA_TEST_EXE set; exit 0
// passes, 77 skips, anything else fails with the output's tail.
func (t Test) Test() (register.Test, error) {
	rootDisk, err := primaryDisk(t.Meta.PrimaryDisk)
	if err != nil {
		return register.Test{}, fmt.Errorf("external test %s (%s): %w", t.Name, t.Executable, err)
	}
	rt := register.Test{
		Name:            t.Name,
		Description:     t.Meta.Description,
		ClusterSize:     1,
		UserData:        t.UserData,
		AdditionalDisks: t.Meta.AdditionalDisks,
		// What the platform cannot give skips the test there (as
		// upstream, where most of these are qemu's alone).
		Machine: platform.MachineShape{
			MinMemoryMiB: t.Meta.MinMemory, MinDiskGiB: t.Meta.MinDisk, RootDisk: rootDisk,
			AdditionalNICs: t.Meta.AdditionalNics, KernelArgs: t.Meta.AppendKernelArgs,
			FirstbootKernelArgs: t.Meta.AppendFirstbootKernelArgs,
		},
		HostPorts:   t.Meta.RequiredHostPorts,
		Tags:        append([]string{"external"}, strings.Fields(t.Meta.Tags)...),
		Timeout:     time.Duration(t.Meta.TimeoutMin) * time.Minute,
		RequiredTag: t.Meta.RequiredTag,
		Shared:      !t.Meta.Exclusive,
		Conflicts:   t.Meta.Conflicts,
		Created:     t.Meta.Created,
		Run:         t.run,
	}
	for _, f := range []struct {
		list           string
		only, excluded *[]string
	}{
		{t.Meta.Platforms, &rt.Platforms, &rt.ExcludePlatforms},
		{t.Meta.Architectures, &rt.Architectures, &rt.ExcludeArchitectures},
		{t.Meta.Distros, &rt.Distros, &rt.ExcludeDistros},
	} {
		if items, exclude := Split(f.list); exclude {
			*f.excluded = items
		} else {
			*f.only = items
		}
	}
	return rt, nil
}

// primaryDisk reads upstream's primaryDisk, SIZE[:OPTIONS]: the size
// (none: the image's own), and options strata's machines do not have
// (mpath, 4k, channel=…, serial=…) are an error naming them.
func primaryDisk(v string) (string, error) {
	size, opts, _ := strings.Cut(v, ":")
	if opts != "" {
		return "", fmt.Errorf("primaryDisk %q: disk options (%s) are not supported, only a size", v, opts)
	}
	if size != "" {
		if err := platform.ValidDiskSize(size); err != nil {
			return "", fmt.Errorf("primaryDisk: %w", err)
		}
	}
	return size, nil
}

func (t Test) run(c cluster.TestCluster) {
	m := c.Machines()[0]
	base := filepath.Base(t.Executable)
	dir := path.Join(remoteDir, t.Name)
	mark := ""
	for reboots := 0; ; reboots++ {
		// Again after each reboot: an image whose root lives in memory
		// (the minimal one) keeps nothing across one.
		t.install(c, dir)
		stdout, stderr, err := m.SSH(c.Context(), runScript(dir, t.Name, base, mark, t.Meta.Exclusive))
		if len(stdout) > 0 {
			c.Logf("%s stdout:\n%s", base, tail(stdout))
		}
		var ee *sshclient.ExitError
		switch {
		case err == nil:
			return
		case errors.As(err, &ee) && ee.Status == SkipStatus:
			c.Skipf("%s exited %d: skipped%s", base, SkipStatus, firstLine(stderr))
		case errors.As(err, &ee) && ee.Status == rebootStatus:
			if reboots == maxReboots {
				c.Fatalf("%s asked for a reboot %d times; giving up", base, reboots+1)
			}
			got := c.MustSSHf(m, "cat %s", sshclient.Quote(path.Join(dir, "reboot-mark")))
			mark = strings.TrimSpace(string(got))
			c.Logf("%s asked for a reboot (mark %q): rebooting %s", base, mark, m.ID())
			if err := m.Reboot(c.Context()); err != nil {
				c.Fatalf("reboot %s for %s: %v", m.ID(), base, err)
			}
		case errors.As(err, &ee):
			// Not the script's command line: the test's status and words.
			c.Fatalf("%s on %s exited with status %d:\n%s", base, m.ID(), ee.Status, tail(stderr))
		default:
			c.Fatalf("%s on %s: %v\n%s", base, m.ID(), err, tail(stderr))
		}
	}
}

// install puts the executable and its data in dir on the machine, unless
// they are there (from before a reboot: what the test left in its data
// stays).
func (t Test) install(c cluster.TestCluster, dir string) {
	m := c.Machines()[0]
	base := filepath.Base(t.Executable)
	installed := path.Join(dir, ".installed")
	if _, err := c.SSH(m, "test -f "+sshclient.Quote(installed)); err == nil {
		return
	}
	c.MustSSHf(m, "rm -rf %s && mkdir -p %s", sshclient.Quote(dir), sshclient.Quote(path.Join(dir, "data")))
	if err := copyFile(c, t.Executable, path.Join(dir, base), 0o755); err != nil {
		c.Fatal(err)
	}
	if t.DataDir != "" {
		err := filepath.WalkDir(t.DataDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(t.DataDir, p)
			if err != nil || rel == "." {
				return err
			}
			dst := path.Join(dir, "data", filepath.ToSlash(rel))
			if d.IsDir() {
				_, err := c.SSH(m, "mkdir -p "+sshclient.Quote(dst))
				return err
			}
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return copyFile(c, p, dst, fi.Mode().Perm())
		})
		if err != nil {
			c.Fatalf("copy %s to %s: %v", t.DataDir, m.ID(), err)
		}
	}
	c.MustSSHf(m, "touch %s", sshclient.Quote(installed))
}

// rebootStatus is runScript's exit status when the test asked for a
// reboot; maxReboots bounds how many a test may ask for.
const (
	rebootStatus = 200
	maxReboots   = 10
)

// runScript runs a test on its machine, as root (through sudo unless
// the SSH user is root, as on the minimal image), with its environment,
// and autopkgtest's reboot protocol: /tmp/autopkgtest-reboot MARK (made
// afresh on every run: /tmp may be cleared by a boot) writes the mark to
// $KOLA_REBOOT_MARK_FILE and blocks; the
// script, which watches for the mark, then exits rebootStatus, and kola
// reboots the machine and runs the test again with
// AUTOPKGTEST_REBOOT_MARK=MARK. The test's output goes to files, so that
// a test blocked in autopkgtest-reboot holds no SSH stream open.
func runScript(dir, name, base, mark string, reboots bool) string {
	env := "KOLA_EXT_DATA=\"$d/data\" KOLA_REBOOT_MARK_FILE=\"$d/reboot-mark\" KOLA_TEST=" + sshclient.Quote(name) + " KOLA_TEST_EXE=" + sshclient.Quote(base)
	if !reboots {
		env += " KOLA_NO_REBOOT=1"
	}
	if mark != "" {
		env += " AUTOPKGTEST_REBOOT_MARK=" + sshclient.Quote(mark)
	}
	return `d="$PWD"/` + sshclient.Quote(dir) + ` && cd "$d/data" && s= && { [ "$(id -u)" = 0 ] || s=sudo; } && ` +
		`rm -f "$d/reboot-mark" "$d/stdout" "$d/stderr" && ` +
		// The same for every test (the mark's file is the test's
		// environment's), written whole: tests on one machine share it.
		`printf '#!/bin/sh\nif [ -n "$KOLA_NO_REBOOT" ]; then echo "autopkgtest-reboot: a test that shares its machine (exclusive: false) may not reboot it" >&2; exit 1; fi\necho "$1" > "$KOLA_REBOOT_MARK_FILE"\nexec sleep 100000\n' > /tmp/.autopkgtest-reboot.$$ && chmod 755 /tmp/.autopkgtest-reboot.$$ && mv -f /tmp/.autopkgtest-reboot.$$ /tmp/autopkgtest-reboot && ` +
		`{ $s env ` + env + ` "$d"/` + sshclient.Quote(base) + ` > "$d/stdout" 2> "$d/stderr" & tp=$!; ` +
		// A child that ended is a zombie until waited for: its /proc
		// entry stays, its state says Z.
		`while [ -r /proc/$tp/status ] && ! grep -q '^State:[[:space:]]*Z' /proc/$tp/status 2>/dev/null && [ ! -s "$d/reboot-mark" ]; do sleep 0.2 2>/dev/null || sleep 1; done; ` +
		`if [ -s "$d/reboot-mark" ]; then st=` + fmt.Sprint(rebootStatus) + `; else wait $tp; st=$?; fi; ` +
		`cat "$d/stdout"; cat "$d/stderr" >&2; exit $st; }`
}

func copyFile(c cluster.TestCluster, src, dst string, mode fs.FileMode) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	return c.Machines()[0].CopyFile(c.Context(), f, dst, mode)
}

// tail is the end of a test's output: what says why it failed.
func tail(b []byte) string {
	const max = 4096
	if len(b) > max {
		b = append([]byte("…"), b[len(b)-max:]...)
	}
	return strings.TrimRight(string(b), "\n")
}

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	if s == "" {
		return ""
	}
	return ": " + s
}
