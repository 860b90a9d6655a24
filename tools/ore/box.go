package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
	"github.com/strata-os/strata/providers/qemu/box"
)

// bootFlags turn a simulator into cloud-in-a-box: its instances boot the
// images uploaded to it, in QEMU (package box).
type bootFlags struct {
	Boot       bool   `help:"Boot instances in QEMU: an instance of an image made from an uploaded disk runs that disk, reads its userdata and keys from the cloud's metadata service, and answers SSH at its public address through the SOCKS5 proxy this prints (kola run --ssh-proxy)." group:"Cloud-in-a-box"`
	BootDir    string `name:"boot-dir" type:"path" placeholder:"DIR" help:"Where the booted instances' disks and files go (default: a temporary directory removed at exit)." group:"Cloud-in-a-box"`
	BootMemory int    `name:"boot-memory" default:"1024" placeholder:"MiB" help:"Memory of each booted instance." group:"Cloud-in-a-box"`
	BootAccel  string `name:"boot-accel" default:"auto" enum:"auto,kvm,tcg" help:"QEMU accelerator for booted instances: kvm, tcg, or auto (KVM if kola's probe found it working on this host boot, else tcg)." group:"Cloud-in-a-box"`
	SSHProxy   string `name:"ssh-proxy-listen" default:"127.0.0.1:0" placeholder:"ADDR" help:"Where the SOCKS5 proxy to the booted instances listens." group:"Cloud-in-a-box"`
}

// open starts the box when --boot is given (nil otherwise); stop stops
// its machines and removes what it made.
func (f *bootFlags) open(a *app) (b *box.Box, stop func(), err error) {
	if !f.Boot {
		for name, set := range map[string]bool{"--boot-dir": f.BootDir != "", "--boot-memory": f.BootMemory != 1024, "--boot-accel": f.BootAccel != "auto", "--ssh-proxy-listen": f.SSHProxy != "127.0.0.1:0"} {
			if set {
				return nil, nil, platform.Usagef("%s: only with --boot", name)
			}
		}
		return nil, func() {}, nil
	}
	if f.BootMemory < 128 {
		return nil, nil, platform.Usagef("--boot-memory %d: at least 128 MiB", f.BootMemory)
	}
	dir, cleanup := f.BootDir, func() {}
	if dir == "" {
		if dir, err = os.MkdirTemp("", "strata-box-"); err != nil {
			return nil, nil, err
		}
		cleanup = func() { os.RemoveAll(dir) }
	}
	cacheDir, _ := images.DefaultCacheDir()
	b, err = box.New(box.Config{Dir: filepath.Join(dir, "box"), MemoryMiB: f.BootMemory, Accel: f.BootAccel, CacheDir: cacheDir, ProxyAddr: f.SSHProxy, Log: a.log})
	if err != nil {
		cleanup()
		return nil, nil, platform.Usage(fmt.Errorf("--boot: %w", err))
	}
	return b, func() { b.Close(); cleanup() }, nil
}

// describe tells the user how to reach booted instances.
func (f *bootFlags) describe(w io.Writer, b *box.Box) {
	if b == nil {
		fmt.Fprintf(w, "Its instances run but never boot (--boot boots them in QEMU).\n")
		return
	}
	fmt.Fprintf(w, "Instances of images made from uploaded disks boot in QEMU; reach them with kola run --ssh-proxy %s\n", b.ProxyURL())
}
