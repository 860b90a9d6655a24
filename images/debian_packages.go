package images

// DebianPackages are what the debian image is made of, beyond Debian's
// essential set: systemd as init, OpenSSH, cloud-init (with ifupdown for
// its network renderer), the cloud kernel (its meta package, which also
// names the kernel the minimal image pins), and tools tests use. ore qemu
// update-lock debian resolves them into debian.lock.
var DebianPackages = []string{
	"systemd-sysv", "udev", "dbus", "openssh-server", "sudo",
	"cloud-init", "ifupdown", "isc-dhcp-client", "iproute2", "netbase",
	"procps", "less", minimalKernelMeta, "initramfs-tools",
}
