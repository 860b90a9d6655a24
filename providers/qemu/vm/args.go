package vm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// OVMFFiles are the firmware code and the variable store template a
// machine boots with, per firmware (Debian's ovmf package names).
var OVMFFiles = map[string][2]string{
	"uefi":        {"OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd"},
	"uefi-secure": {"OVMF_CODE_4M.secboot.fd", "OVMF_VARS_4M.ms.fd"},
}

// DefaultOVMFDir is where Debian's ovmf package puts the firmware.
const DefaultOVMFDir = "/usr/share/OVMF"

// Args is QEMU's command line for cfg. It writes the machine's files into
// cfg.Dir: the disk's overlay and the UEFI variable store.
func Args(cfg Config) ([]string, error) {
	accel := cfg.Accel
	if accel == "" {
		accel = "tcg"
	}
	cpus := max(cfg.CPUs, 1)
	memory := cfg.MemoryMiB
	if memory <= 0 {
		memory = 512
	}
	userNet, err := userNetArg(cfg.Net)
	if err != nil {
		return nil, err
	}
	console := "stdio,id=console,signal=off"
	if cfg.Detachable {
		if strings.Contains(cfg.Dir, ",") {
			return nil, fmt.Errorf("machine directory %q: QEMU's option syntax cannot carry a comma", cfg.Dir)
		}
		console = "file,id=console,append=on,path=" + ConsoleLog(cfg)
	}
	args := []string{
		"-name", cfg.Name, "-nodefaults", "-no-user-config", "-display", "none",
		"-accel", accel, "-m", strconv.Itoa(memory), "-smp", strconv.Itoa(cpus),
		"-chardev", console, "-serial", "chardev:console",
		// Host entropy, so the guest's RNG is ready at once (SSH host keys).
		"-object", "rng-random,id=rng,filename=/dev/urandom", "-device", "virtio-rng-pci,rng=rng",
		// The cards carry no option ROM (romfile=): machines boot disks
		// and kernels, never the network, and under SeaBIOS iPXE only
		// spends twenty seconds on DHCP and TFTP before an unbootable
		// disk's "No bootable device." (OVMF has network boot of its own.)
		"-netdev", userNet,
		"-device", "virtio-net-pci,netdev=pub,romfile=",
	}
	if cfg.PrivateNet != "" {
		args = append(args,
			"-netdev", "stream,id=priv,server=off,addr.type=unix,addr.path="+cfg.PrivateNet,
			"-device", "virtio-net-pci,netdev=priv,mac="+cfg.PrivateMAC+",romfile=")
	}
	for i := range cfg.ExtraNICs {
		id := fmt.Sprintf("nic%d", i+1)
		args = append(args,
			"-netdev", fmt.Sprintf("user,id=%s,net=10.0.%d.0/24", id, 10+i),
			"-device", "virtio-net-pci,netdev="+id+",romfile=")
	}
	fw, err := firmwareArgs(cfg)
	if err != nil {
		return nil, err
	}
	args = append(args, fw...)
	for _, s := range cfg.SMBIOS {
		args = append(args, "-smbios", s)
	}
	if cfg.Kernel != "" {
		args = append(args, "-kernel", cfg.Kernel, "-initrd", cfg.Initrd, "-append", cfg.Cmdline)
	}
	if cfg.Disk != "" {
		overlay, err := Overlay(cfg.Dir, "root.qcow2", cfg.Disk, cfg.DiskFormat, cfg.DiskSize)
		if err != nil {
			return nil, err
		}
		args = append(args, "-drive", "if=virtio,format=qcow2,file="+overlay)
	}
	return append(args, cfg.Extra...), nil
}

// Overlay creates dir/name, a qcow2 overlay on base (whose format is
// given), and returns its path: the machine writes there, never to base.
// A size (bytes) grows the disk the guest sees; 0 keeps base's. (qemu-img
// would make a smaller one too, cutting the guest's file systems short:
// callers check, see VirtualSize.)
func Overlay(dir, name, base, format string, size int64) (string, error) {
	if format == "" {
		return "", fmt.Errorf("root disk overlay on %s: no format given", base)
	}
	overlay := filepath.Join(dir, name)
	args := []string{"create", "-q", "-f", "qcow2", "-F", format, "-b", base, overlay}
	if size > 0 {
		args = append(args, strconv.FormatInt(size, 10))
	}
	if out, err := exec.Command("qemu-img", args...).CombinedOutput(); err != nil {
		return "", fmt.Errorf("root disk overlay on %s: qemu-img create: %v: %s", base, err, bytes.TrimSpace(out))
	}
	return overlay, nil
}

// userNetArg is the -netdev of the first card.
func userNetArg(n UserNet) (string, error) {
	parts := []string{"user", "id=pub"}
	if n.Network != "" {
		parts = append(parts, "net="+n.Network)
	}
	if n.SSHPort > 0 {
		parts = append(parts, fmt.Sprintf("hostfwd=tcp:127.0.0.1:%d-:22", n.SSHPort))
	}
	if len(n.Forwards) > 0 {
		self, err := os.Executable()
		if err != nil {
			return "", fmt.Errorf("guest forwards: find this program to relay them: %w", err)
		}
		for _, f := range n.Forwards {
			if _, _, err := net.SplitHostPort(f.Addr); err != nil {
				return "", fmt.Errorf("guest forward %q: %w", f.Addr, err)
			}
			// QEMU splits the option at commas and parses the command
			// as a shell would: paths with either are refused here
			// rather than misread there.
			for _, p := range []string{self, f.Socket} {
				if strings.ContainsAny(p, ", '\"\\") {
					return "", fmt.Errorf("guest forward %s: path %q has a character QEMU's guestfwd cannot carry", f.Addr, p)
				}
			}
			parts = append(parts, fmt.Sprintf("guestfwd=tcp:%s-cmd:%s %s %s", f.Addr, self, relayArg, f.Socket))
		}
	}
	return strings.Join(parts, ","), nil
}

// firmwareArgs: SeaBIOS needs nothing, but a machine booting a disk gets
// graphics=off so SeaBIOS prints on the serial console — "No bootable
// device." among it; OVMF's code read-only and a copy of its variable
// store per machine (the firmware writes boot entries into it).
func firmwareArgs(cfg Config) ([]string, error) {
	files, ok := OVMFFiles[cfg.Firmware]
	if !ok {
		if cfg.Firmware != "" && cfg.Firmware != "bios" {
			return nil, fmt.Errorf("firmware %q: want bios, uefi or uefi-secure", cfg.Firmware)
		}
		if cfg.Kernel == "" {
			return []string{"-machine", "graphics=off"}, nil
		}
		return nil, nil
	}
	dir := cfg.OVMFDir
	if dir == "" {
		dir = DefaultOVMFDir
	}
	// The template is half a megabyte or so: read whole.
	template, err := os.ReadFile(filepath.Join(dir, files[1]))
	if err != nil {
		return nil, fmt.Errorf("UEFI variable store: %w", err)
	}
	vars := filepath.Join(cfg.Dir, "efivars.fd")
	if err := os.WriteFile(vars, template, 0o644); err != nil {
		return nil, fmt.Errorf("UEFI variable store: %w", err)
	}
	args := []string{
		"-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + filepath.Join(dir, files[0]),
		"-drive", "if=pflash,format=raw,unit=1,file=" + vars,
	}
	if cfg.Firmware == "uefi-secure" {
		// Secure Boot's variables are protected by SMM, which needs q35.
		args = append(args, "-machine", "q35,smm=on", "-global", "driver=cfi.pflash01,property=secure,value=on")
	}
	return args, nil
}

// VirtualSize is the size in bytes of the disk a guest sees of path.
func VirtualSize(path string) (int64, error) {
	out, err := exec.Command("qemu-img", "info", "--output=json", path).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(bytes.TrimSpace(ee.Stderr))
		}
		return 0, fmt.Errorf("qemu-img info %s: %v: %s", path, err, msg)
	}
	var info struct {
		VirtualSize int64 `json:"virtual-size"`
	}
	if err := json.Unmarshal(out, &info); err != nil || info.VirtualSize <= 0 {
		return 0, fmt.Errorf("qemu-img info %s: no virtual size in %.200s", path, out)
	}
	return info.VirtualSize, nil
}
