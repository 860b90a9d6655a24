package images

import (
	"archive/tar"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-os/strata/images/debs"
	"github.com/strata-os/strata/images/hosttool"
)

//go:embed debian.lock
var debianLock []byte

// debianBuilder changes when the way the image is assembled changes.
const debianBuilder = "debian-v9"

// DebianCmdline boots the debian image: root on the first virtio disk,
// classic interface names (eth0 public, eth1 private).
const DebianCmdline = "console=ttyS0 root=/dev/vda rw net.ifnames=0 quiet"

// debianSizeBlocks sizes the root filesystem (4 KiB blocks): room for what
// tests write; the qcow2 keeps only what is used.
const debianSizeBlocks = 786432 // 3 GiB

// sourceDateEpoch clamps timestamps in the bootstrap for reproducibility.
const sourceDateEpoch = "1700000000"

// hashSeed seeds ext4's directory hashes and fsUUID names the filesystem;
// both are random by default and fixed here so builds are identical.
const (
	hashSeed = "5f0b7a1e-3c2d-4e6f-8a9b-0c1d2e3f4a5b"
	fsUUID   = "2b8f6c1d-7e4a-4b3c-9d5e-6f7a8b9c0d1e"
)

// debugfs runs requests against a filesystem image in one write session.
func debugfs(ctx context.Context, log *slog.Logger, tmp, img string, requests ...string) error {
	f, err := os.CreateTemp(tmp, "debugfs-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(strings.Join(requests, "\n") + "\n"); err != nil {
		f.Close()
		return err
	}
	f.Close()
	// debugfs stamps the write time as it closes the filesystem.
	return runTool(ctx, log, []string{"E2FSPROGS_FAKE_TIME=" + sourceDateEpoch}, "debugfs", "-w", "-f", f.Name(), img)
}

// buildDebian makes the debian image: Debian's own boot, configured by
// cloud-init.
func buildDebian(ctx context.Context, lock []byte, opts Options) (*Image, error) {
	return bootstrapImage(ctx, debianSpec(lock), opts)
}

func debianSpec(lock []byte) bootstrapSpec {
	return bootstrapSpec{
		builder: debianBuilder, lockName: "debian", lock: lock,
		customize: debianCustomize,
		image: Image{
			Name:         "debian",
			Cmdline:      DebianCmdline,
			SSHUser:      "debian",
			SSHReadyLine: DebianSSHReadyLine,
			Distro:       "debian",
			MinMemoryMiB: 1024,
			UserData:     "cloud-init",
		},
	}
}

// bootstrapSpec is a Debian system image: its packages, how it is
// customized, and what it says of itself.
type bootstrapSpec struct {
	builder  string // changes when the way the image is assembled changes
	lockName string
	lock     []byte
	// inputs are more of what the image is made from (name → hash).
	inputs map[string]string
	// stage, if set, puts files in a directory and returns the
	// customize hooks that read them, run before customize.
	stage func(dir string) ([]string, error)
	// customize is the last customize hook: what the image is made
	// into. Its text, like the command line's, is part of the image's
	// hash, so that changing either builds the image again.
	customize string
	// image is the description; Kernel, Initrd, Disk, KernelRelease and
	// InputHash are filled in.
	image Image
}

// cacheDir is where the image is cached: named by the hash of everything
// it is made from (also returned, with the parsed lock).
func (spec bootstrapSpec) cacheDir(opts Options) (pkgs []debs.Package, hash, dir string, err error) {
	pkgs, err = debs.ParseLock(spec.lockName+".lock", spec.lock)
	if err != nil {
		return nil, "", "", err
	}
	parts := map[string]string{"builder": spec.builder, "packages": packagesHash(pkgs),
		"customize": spec.customize, "cmdline": spec.image.Cmdline}
	for k, v := range spec.inputs {
		parts[k] = v
	}
	hash = inputHash(parts)
	return pkgs, hash, filepath.Join(opts.CacheDir, "images", spec.image.Name+"-"+hash[:16]), nil
}

// bootstrapImage makes a real Debian bookworm system: mmdebstrap installs
// the locked packages (maintainer scripts and all, in a user namespace, no
// root) from a local repository holding only them; genext2fs turns the
// result into a filesystem keeping ownership, tune2fs makes it ext4, and
// qemu-img a qcow2. The kernel and Debian's own initrd are taken from it.
func bootstrapImage(ctx context.Context, spec bootstrapSpec, opts Options) (*Image, error) {
	name := spec.image.Name
	pkgs, hash, dir, err := spec.cacheDir(opts)
	if err != nil {
		return nil, err
	}
	built, unlock, err := cachedOrLocked(ctx, dir, opts.Logger)
	if built != nil || err != nil {
		return built, err
	}
	defer unlock()
	for _, tool := range []string{"mmdebstrap", "genext2fs", "tune2fs", "debugfs", "e2fsck", "qemu-img", "dpkg-deb"} {
		if _, err := hosttool.Path(tool); err != nil {
			return nil, fmt.Errorf("%s image: %s not found (apt-get install mmdebstrap uidmap genext2fs e2fsprogs qemu-utils)", name, tool)
		}
	}
	opts.Logger.Info("building image", "image", name, "packages", len(pkgs), "dir", dir)
	paths, err := opts.fetcher(spec.lockName).Fetch(ctx, pkgs)
	if err != nil {
		return nil, fmt.Errorf("%s image: %w", name, err)
	}
	// Somewhere a user-namespace root can read.
	repo, err := os.MkdirTemp("", "strata-"+name+"-repo-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(repo)
	if err := os.Chmod(repo, 0o755); err != nil {
		return nil, err
	}
	if err := debs.MakeRepo(ctx, repo, paths); err != nil {
		return nil, fmt.Errorf("%s image: local repository: %w", name, err)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".build-"+name+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	stage := filepath.Join(tmp, "stage")
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return nil, err
	}
	var hooks []string
	if spec.stage != nil {
		if hooks, err = spec.stage(stage); err != nil {
			return nil, fmt.Errorf("%s image: %w", name, err)
		}
	}
	hooks = append(hooks, spec.customize)

	names := make([]string, 0, len(pkgs))
	for _, p := range pkgs {
		names = append(names, p.Name)
	}
	rootTar := filepath.Join(tmp, "root.tar")
	args := []string{"--mode=unshare", "--variant=apt", "--include=" + strings.Join(names, ","),
		"--aptopt=Acquire::Languages \"none\""}
	for _, h := range hooks {
		args = append(args, "--customize-hook="+h)
	}
	args = append(args, "bookworm", rootTar, "deb [trusted=yes] copy://"+repo+" ./")
	if err := runTool(ctx, opts.Logger, []string{"SOURCE_DATE_EPOCH=" + sourceDateEpoch}, "mmdebstrap", args...); err != nil {
		return nil, fmt.Errorf("%s image: %w", name, err)
	}
	kernel, initrd, release, err := bootFiles(rootTar, tmp)
	if err != nil {
		return nil, fmt.Errorf("%s image: %w", name, err)
	}
	// Every step is made deterministic: zero timestamps from genext2fs,
	// e2fsprogs' clock pinned, the UUID cleared and the directory hash
	// seed (random when dir_index is turned on) set to a constant.
	fsImg := filepath.Join(tmp, "root.ext4")
	fakeTime := []string{"E2FSPROGS_FAKE_TIME=" + sourceDateEpoch, "E2FSCK_TIME=" + sourceDateEpoch}
	if err := runTool(ctx, opts.Logger, nil, "genext2fs", "-f", "-B", "4096", "-b", fmt.Sprint(debianSizeBlocks), "-N", "200000", "-a", rootTar, fsImg); err != nil {
		return nil, fmt.Errorf("%s image: %w", name, err)
	}
	if err := runTool(ctx, opts.Logger, fakeTime, "tune2fs", "-O", "extents,uninit_bg,dir_index,has_journal", "-L", "root", fsImg); err != nil {
		return nil, fmt.Errorf("%s image: %w", name, err)
	}
	// The UUID goes into the group descriptors' checksums, which e2fsck
	// then recomputes; the superblock times are pinned last.
	if err := debugfs(ctx, opts.Logger, tmp, fsImg, "ssv uuid "+fsUUID, "ssv hash_seed "+hashSeed); err != nil {
		return nil, fmt.Errorf("%s image: %w", name, err)
	}
	// e2fsck exits 1 when it fixed things, which converting features needs.
	if err := runTool(ctx, opts.Logger, fakeTime, "e2fsck", "-fyD", fsImg); err != nil {
		if ee, ok := err.(*toolError); !ok || ee.status > 1 {
			return nil, fmt.Errorf("%s image: %w", name, err)
		}
	}
	if err := debugfs(ctx, opts.Logger, tmp, fsImg, "ssv mtime "+sourceDateEpoch, "ssv wtime "+sourceDateEpoch,
		"ssv lastcheck "+sourceDateEpoch, "ssv mkfs_time "+sourceDateEpoch); err != nil {
		return nil, fmt.Errorf("%s image: %w", name, err)
	}
	disk := filepath.Join(tmp, "disk.qcow2")
	if err := runTool(ctx, opts.Logger, nil, "qemu-img", "convert", "-q", "-O", "qcow2", fsImg, disk); err != nil {
		return nil, fmt.Errorf("%s image: %w", name, err)
	}
	for _, f := range []string{rootTar, fsImg} {
		os.Remove(f)
	}
	os.RemoveAll(stage)
	img := spec.image
	img.Kernel, img.Initrd, img.Disk, img.KernelRelease, img.InputHash = kernel, initrd, disk, release, hash
	return publish(tmp, dir, &img)
}

// debianCustomize runs in the finished root: an fstab naming the root disk,
// no apt sources (machines are offline), an empty machine-id and no SSH
// host keys (each machine makes its own: cloud-init generates the keys on
// first boot, before sshd starts; left in, they would be shared by every
// machine and differ between builds), and cloud-init told to look only
// for the NoCloud seed and to keep the C.UTF-8 locale (the image has no
// locales package). The rest is boot time under TCG, where every process
// costs: host keys of the two fast kinds (RSA took 5 s of the critical
// path), no fingerprints printed to the console and no grub probing (2 s
// and 1.7 s), the hostname in /etc/hosts (sudo warns on every call
// otherwise), and the units that scrub, trim, or refresh apt on a fresh
// offline machine masked (e2scrub_reap alone took 14 s of the one CPU).
var debianCustomize = freshMachineRoot +
	`printf '` + debianCloudConfig + `' > "$1/etc/cloud/cloud.cfg.d/90-strata.cfg"; ` +
	maskUnusedGenerators + sshReadyLine(DebianSSHReadyLine) +
	`for u in ` + debianMaskedUnits + maskEach

// DebianSSHReadyLine is what the debian image prints on its console when
// sshd listens (sshReadyLine).
const DebianSSHReadyLine = "strata-debian: ssh ready"

// sshReadyLine is a customize hook's step that has sshd print line on
// the console once it listens (after it told systemd it is ready). kola's
// QEMU machines wait for the line (Image.SSHReadyLine) before they stop
// probing through QEMU's forwarder and wait on one connection: under
// emulation a booting machine's sshd can take seconds to greet, and
// every connection given up on costs the machine an sshd of its own.
func sshReadyLine(line string) string {
	return `mkdir -p "$1/etc/systemd/system/ssh.service.d"; ` +
		`printf '# kola waits for this line (strata image ssh_ready_line)\n[Service]\nExecStartPost=/bin/sh -c "echo ` + line + ` > /dev/console"\n' > "$1/etc/systemd/system/ssh.service.d/strata-ready.conf"; `
}

// maskUnusedGenerators masks the systemd generators (each a program run
// before systemd starts a unit, a second or more of them under
// emulation) for what a test machine does not have: encrypted, integrity
// and verity volumes, GPT auto-discovery (the root is named), hibernation,
// rc.local, offline updates, SysV scripts (every service has a unit) and
// systemd.run= on the command line. fstab, getty, debug (systemd.mask=
// and the debug shell) and cloud-init's stay.
const maskUnusedGenerators = `mkdir -p "$1/etc/systemd/system-generators"; ` +
	`for g in cryptsetup gpt-auto hibernate-resume integritysetup rc-local run system-update sysv veritysetup; do ` +
	`ln -sf /dev/null "$1/etc/systemd/system-generators/systemd-$g-generator"; done; `

// freshMachineRoot starts the customize hook of every Debian-based image
// ($1 the root): an fstab naming the root filesystem by label, no apt
// sources, an empty machine-id (a first boot) and no SSH host keys.
const freshMachineRoot = `printf 'LABEL=root / ext4 defaults 0 1\n' > "$1/etc/fstab"; rm -f "$1/etc/apt/sources.list"; : > "$1/etc/machine-id"; ` +
	`rm -f "$1"/etc/ssh/ssh_host_*; `

// maskEach ends a hook's "for u in UNITS": each unit masked.
const maskEach = `; do ln -sf /dev/null "$1/etc/systemd/system/$u"; done`

// debianCloudConfig is cloud-init's configuration in the image (printf
// format: newlines escaped).
const debianCloudConfig = `datasource_list: [NoCloud, None]\n` +
	`locale: C.UTF-8\n` +
	`ssh_genkeytypes: [ed25519, ecdsa]\n` +
	`ssh:\n  emit_keys_to_console: false\n` +
	`grub_dpkg:\n  enabled: false\n` +
	`manage_etc_hosts: localhost\n`

// debianMaskedUnits do nothing useful on a test machine that lives minutes.
const debianMaskedUnits = "e2scrub_reap.service e2scrub_all.timer apt-daily.timer apt-daily-upgrade.timer " +
	"dpkg-db-backup.timer fstrim.timer man-db.timer systemd-binfmt.service proc-sys-fs-binfmt_misc.automount"

// bootFiles copies the kernel and Debian's initrd out of the root tar.
func bootFiles(rootTar, out string) (kernel, initrd, release string, err error) {
	f, err := os.Open(rootTar)
	if err != nil {
		return "", "", "", err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", "", "", err
		}
		name := strings.TrimPrefix(h.Name, "./")
		var dst string
		switch {
		case strings.HasPrefix(name, "boot/vmlinuz-") && h.Typeflag == tar.TypeReg:
			dst, release = filepath.Join(out, "vmlinuz"), strings.TrimPrefix(name, "boot/vmlinuz-")
			kernel = dst
		case strings.HasPrefix(name, "boot/initrd.img-") && h.Typeflag == tar.TypeReg:
			dst = filepath.Join(out, "initrd.img")
			initrd = dst
		default:
			continue
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return "", "", "", err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return "", "", "", err
		}
	}
	if kernel == "" || initrd == "" {
		return "", "", "", fmt.Errorf("no /boot/vmlinuz-* or /boot/initrd.img-* in the bootstrap")
	}
	return kernel, initrd, release, nil
}

type toolError struct {
	cmd    string
	status int
	out    string
}

func (e *toolError) Error() string {
	out := e.out
	if len(out) > 4000 {
		out = "..." + out[len(out)-4000:]
	}
	return fmt.Sprintf("%s: exit status %d: %s", e.cmd, e.status, out)
}

// runTool runs one step of a build, logging how long it took at debug
// level (where a build's minutes go).
func runTool(ctx context.Context, log *slog.Logger, env []string, name string, args ...string) error {
	start := time.Now()
	defer func() {
		log.Debug("image build step", "tool", name, "seconds", time.Since(start).Round(time.Millisecond).Seconds())
	}()
	path, err := hosttool.Path(name)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	// mmdebstrap's hooks run chroot, from sbin.
	cmd.Env = append(hosttool.Environ(os.Environ()), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return &toolError{cmd: name, status: ee.ExitCode(), out: strings.TrimSpace(out.String())}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
