package images

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

//go:embed ignition.lock
var ignitionLock []byte

// ignitionRoot is what the ignition image adds to Debian: the initramfs
// hook and script that run Ignition, networkd's configuration, the units
// that make host keys and read kola's fw_cfg network settings, sshd's
// host keys, and the core user's sudo rights.
//
//go:embed ignition-root
var ignitionRoot embed.FS

// ignitionBuilder changes when the way the image is assembled changes.
const ignitionBuilder = "ignition-v9"

// IgnitionSSHReadyLine is what the ignition image prints on its console
// when sshd listens (sshReadyLine).
const IgnitionSSHReadyLine = "strata-ignition: ssh ready"

// IgnitionDistro is the ignition image's distro name.
const IgnitionDistro = "strata-ignition"

// IgnitionCmdline boots the ignition image on QEMU: Ignition's platform
// is qemu (fw_cfg), as on Fedora CoreOS and Flatcar. The interrupt
// tuning, as on the minimal image (QEMUIRQParams), saves a second of ACPI
// interrupt-link evaluation under emulation; QEMU's tables route PCI
// interrupts without it, a cloud's machine may not, so ForPlatform drops
// it for the clouds.
const IgnitionCmdline = "console=ttyS0 root=/dev/vda rw net.ifnames=0 quiet " + QEMUIRQParams + " ignition.platform.id=qemu"

// IgnitionPackages are what the ignition image is made of beyond Debian's
// essential set: systemd (with networkd) as init, OpenSSH, the cloud
// kernel and Debian's initramfs, and the tools Ignition's disks and files
// stages run (sgdisk, mkfs.*, useradd from the essential passwd). No
// cloud-init: Ignition alone configures it.
var IgnitionPackages = []string{
	"systemd-sysv", "udev", "dbus", "openssh-server", "sudo",
	"iproute2", "netbase", "procps", "less", minimalKernelMeta, "initramfs-tools",
	"gdisk", "dosfstools",
	// The machine's own hostname resolves without an /etc/hosts entry
	// (sudo looks it up on every call).
	"libnss-myhostname",
	// The initramfs is compressed with lz4 (conf.d/strata.conf): under
	// emulation the kernel unpacks it in half zstd's time (0.5 s against
	// 1.2 s for the 86 MB), and gzip's is slower still.
	"lz4",
}

// ignitionExecutable marks the staged files that must be executable.
var ignitionExecutable = map[string]bool{
	"etc/initramfs-tools/hooks/strata-ignition":                true,
	"etc/initramfs-tools/scripts/local-bottom/strata-ignition": true,
	"etc/initramfs-tools/scripts/init-top/strata-coldplug":     true,
	"usr/lib/strata/qemu-network":                              true,
}

// ignitionMasked do nothing useful on a test machine that lives minutes,
// and under emulation every unit costs a second or more of the one CPU:
// the debian image's (scrubbing, trimming and apt timers); modules loaded
// ahead of need (the kernel loads them when asked); debug, tracing,
// hugepage and fuse mounts; networkd's wait-online, which would wait for
// every card, configured or not; the getty on tty1, a screen no machine
// has (the serial console's stays); kmod-static-nodes, whose list the
// build writes (ignitionStaticNodes).
const ignitionMasked = debianMaskedUnits + " systemd-networkd-wait-online.service " +
	"modprobe@drm.service modprobe@efi_pstore.service modprobe@fuse.service modprobe@loop.service " +
	"modprobe@dm_mod.service modprobe@configfs.service systemd-pstore.service " +
	"sys-kernel-debug.mount sys-kernel-tracing.mount dev-hugepages.mount sys-fs-fuse-connections.mount sys-kernel-config.mount " +
	// The root is mounted read-write from the kernel command line with
	// the options the fstab gives; network settings come from networkd's
	// files, not from ip= on the command line.
	"systemd-remount-fs.service systemd-network-generator.service getty@tty1.service kmod-static-nodes.service"

// ignitionStaticNodes writes, when the image is built, the device nodes
// kmod-static-nodes.service would list on every boot (nodes such as
// /dev/fuse and /dev/net/tun whose opening loads their module), from the
// image kernel's modules.devname in kmod's own tmpfiles format; the unit
// is masked. It headed the chain to sshd: udevd waits for the nodes, and
// under emulation kmod took half a second to write fifteen lines.
const ignitionStaticNodes = `for f in "$1"/lib/modules/*/modules.devname; do ` +
	`while read -r module name node; do case "$module" in '#'* | '') continue ;; esac; ` +
	`case "$name" in */*) echo "d /dev/${name%/*} 0755 - - -" ;; esac; ` +
	`echo "${node%%[0-9]*}! /dev/$name 0600 - - - ${node#?}"; done < "$f"; ` +
	`done > "$1/etc/tmpfiles.d/static-nodes.conf"; `

// ignitionUpdated marks /etc and /var as up to date with /usr, so that
// the units for a system whose /usr changed (creating system users,
// ldconfig, the hwdb) skip on the first boot: the build did what they do.
const ignitionUpdated = `for d in etc var; do printf '# made when the image was built: /%s is up to date with /usr\n' "$d" > "$1/$d/.updated"; touch -r "$1/usr" "$1/$d/.updated"; done; `

// ignitionInitramfs: Debian's initramfs starts udev at once, which under
// emulation costs seconds; strata-coldplug loads the drivers instead, and
// the Ignition script starts udev only for a config that has disks to
// wait for. So udev's hook (which puts udev in the initramfs) stays, and
// its scripts that start and stop it are diverted out of the directories
// mkinitramfs runs everything in (a diversion, so that an upgrade of udev
// keeps them out). Debian's /etc/modules link, which names no module,
// goes, so that systemd-modules-load runs only when a config asks for
// modules.
const ignitionInitramfs = `mkdir -p "$1/usr/share/initramfs-tools/strata-disabled"; ` +
	`for d in scripts/init-top scripts/init-bottom; do chroot "$1" dpkg-divert --quiet --local --rename --divert "/usr/share/initramfs-tools/strata-disabled/$(echo $d | tr / -)-udev" --add "/usr/share/initramfs-tools/$d/udev"; done; ` +
	`rm -f "$1/etc/modules-load.d/modules.conf"; `

// ignitionCustomize runs in the finished root, after the staged files are
// synced in: their modes and owners, the fstab, an empty machine-id (the
// first boot, when Ignition runs and systemd applies presets), no SSH
// host keys or apt sources, the user core (uid 1000, as on CoreOS) with
// sudo, networkd, sshd and the strata units enabled (sshd itself, not
// ssh.socket: with the socket, the connections a client gave up on while
// sshd started each cost an sshd of their own when it did), and the
// initramfs made again with the Ignition hook in it.
var ignitionCustomize = `set -e; ` + freshMachineRoot +
	`chown -R 0:0 "$1/etc/initramfs-tools" "$1/etc/modprobe.d/strata.conf" "$1/etc/udev/udev.conf" "$1/etc/systemd/network" "$1/etc/systemd/system" "$1/etc/systemd/system-preset" "$1/etc/ssh/sshd_config.d" "$1/etc/sudoers.d" "$1/usr/lib/strata" "$1/usr/lib/systemd/network"; ` +
	`chmod 0755 "$1/etc/systemd/system/ssh.service.d" "$1/etc/initramfs-tools/conf.d"; ` +
	`chmod 0440 "$1/etc/sudoers.d/90-core"; ` +
	`chroot "$1" useradd --create-home --uid 1000 --user-group --shell /bin/bash --comment "strata core user" core; ` +
	`for u in systemd-networkd.service strata-qemu-network.service strata-ssh-keygen.service strata-metadata-sshkeys.service strata-metadata-report-ready.service ssh.service; do chroot "$1" systemctl enable "$u" >/dev/null 2>&1; done; ` +
	`for u in ` + ignitionMasked + maskEach + `; ` +
	maskUnusedGenerators + sshReadyLine(IgnitionSSHReadyLine) +
	ignitionStaticNodes + ignitionUpdated + ignitionInitramfs +
	`chroot "$1" update-initramfs -u -k all`

// buildIgnition makes the ignition image: a Debian system configured on
// its first boot by Ignition (opts.Ignition, built from
// github.com/coreos/ignition/v2), which runs in Debian's initramfs before
// the root's services, from the platform the kernel command line names.
func buildIgnition(ctx context.Context, lock []byte, opts Options) (*Image, error) {
	if opts.Ignition == "" {
		return nil, fmt.Errorf("ignition image: needs the ignition binary (Options.Ignition)")
	}
	if opts.InitrdBus == "" {
		return nil, fmt.Errorf("ignition image: needs the strata-initrd-bus binary (Options.InitrdBus)")
	}
	sum, err := FileSHA256(opts.Ignition)
	if err != nil {
		return nil, fmt.Errorf("ignition image: the ignition binary: %w", err)
	}
	busSum, err := FileSHA256(opts.InitrdBus)
	if err != nil {
		return nil, fmt.Errorf("ignition image: the strata-initrd-bus binary: %w", err)
	}
	rootSum, err := treeHash(ignitionRoot, "ignition-root")
	if err != nil {
		return nil, err
	}
	return bootstrapImage(ctx, bootstrapSpec{
		builder: ignitionBuilder, lockName: "ignition", lock: lock,
		inputs: map[string]string{"ignition": sum, "initrd-bus": busSum, "root": rootSum},
		stage: func(dir string) ([]string, error) {
			if err := stageIgnitionRoot(dir, opts.Ignition, opts.InitrdBus); err != nil {
				return nil, fmt.Errorf("stage files: %w", err)
			}
			return []string{"sync-in " + dir + " /"}, nil
		},
		customize: ignitionCustomize,
		image: Image{
			Name:         "ignition",
			Cmdline:      IgnitionCmdline,
			SSHUser:      "core",
			SSHReadyLine: IgnitionSSHReadyLine,
			Distro:       IgnitionDistro,
			MinMemoryMiB: 1024,
			// Two CPUs boot it in 0.75× the time of one under emulation.
			CPUs:     2,
			UserData: "ignition",
		},
	}, opts)
}

// stageIgnitionRoot writes the embedded tree, the Ignition binary and
// strata-initrd-bus into stage, with the modes they need.
func stageIgnitionRoot(stage, ignition, initrdBus string) error {
	err := fs.WalkDir(ignitionRoot, "ignition-root", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, "ignition-root"), "/")
		dst := filepath.Join(stage, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := ignitionRoot.ReadFile(p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if ignitionExecutable[rel] {
			mode = 0o755
		}
		return os.WriteFile(dst, b, mode)
	})
	if err != nil {
		return err
	}
	for name, src := range map[string]string{"ignition": ignition, "strata-initrd-bus": initrdBus} {
		b, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(stage, "usr/lib/strata", name), b, 0o755); err != nil {
			return err
		}
	}
	// strata-initrd-bus is also the metadata agent, by this name.
	return os.Symlink("strata-initrd-bus", filepath.Join(stage, "usr/lib/strata/strata-metadata"))
}

// treeHash identifies an embedded tree's content.
func treeHash(fsys embed.FS, root string) (string, error) {
	parts := map[string]string{}
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fsys.ReadFile(p)
		if err != nil {
			return err
		}
		parts[p] = string(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	return inputHash(parts), nil
}
