package images

// DebianPackages are what the debian image is made of, beyond Debian's
// essential set: systemd as init, OpenSSH, cloud-init (with ifupdown for
// its network renderer), the kernel of the minimal image, and tools tests
// use. cmd/debianlock resolves them into debian.lock.
var DebianPackages = []string{
	"systemd-sysv", "udev", "dbus", "openssh-server", "sudo",
	"cloud-init", "ifupdown", "isc-dhcp-client", "iproute2", "netbase",
	"procps", "less", "linux-image-6.1.0-47-cloud-amd64", "initramfs-tools",
}
