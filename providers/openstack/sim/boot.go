package sim

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/strata-os/strata/providers/qemu/box"
	"github.com/strata-os/strata/providers/qemu/media"
)

// Cloud-in-a-box: with Options.Box set, the data uploaded to a Glance
// image in a format QEMU reads is kept in the box, and a server of such
// an image boots it in QEMU: its console is the machine's, its guest
// reaches Nova's metadata service (metadata.go) at 169.254.169.254 and its
// cluster peers at its port's fixed address, deleting it stops the
// machine, and a guest that powers off leaves it SHUTOFF, as Nova does.
// Images without data (AddImage, the cirros image) give servers that are
// ACTIVE but never boot, as without a box.

// bootFormats are the Glance disk formats the box boots, as QEMU names
// them.
var bootFormats = map[string]string{"raw": "raw", "qcow2": "qcow2", "vmdk": "vmdk", "vhd": "vpc", "vhdx": "vhdx", "vdi": "vdi"}

// NovaVersion is the release the booted servers' SMBIOS names.
const NovaVersion = "29.2.1"

// importImage keeps an upload's data in the box when the image is of a
// format it boots, reading r through; otherwise it only reads r. It runs
// without the lock.
func (s *Server) importImage(id, diskFormat string, r io.Reader) (disk string, n int64, err error) {
	counted := &countingReader{r: r}
	if _, ok := bootFormats[diskFormat]; ok && s.opts.Box != nil {
		disk, err = s.opts.Box.ImportDisk("image-"+id+"."+diskFormat, counted)
		return disk, counted.n, err
	}
	_, err = io.Copy(io.Discard, counted)
	return "", counted.n, err
}

// removeDisk drops an image's data from the box.
func (s *Server) removeDisk(disk string) {
	if disk != "" && s.opts.Box != nil {
		_ = s.opts.Box.RemoveDisk(filepath.Base(disk))
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// bootSMBIOS are the strings Nova's libvirt driver gives a guest.
func bootSMBIOS(in *Instance) []string {
	return []string{
		"type=1,manufacturer=OpenStack Foundation,product=OpenStack Nova,version=" + NovaVersion +
			",serial=" + in.ID + ",uuid=" + in.ID + ",family=Virtual Machine",
	}
}

// boot starts a created server's machine if its image has data. A box
// that cannot start it puts the server in ERROR with the reason as its
// fault, as a failed spawn does in Nova. s.mu must be held.
func (s *Server) boot(in *Instance) {
	img := s.images[in.Image]
	if s.opts.Box == nil || img == nil || img.disk == "" {
		return
	}
	var private, public, network, mac string
	if len(in.Ports) > 0 {
		p := in.Ports[0]
		private, public, network, mac = p.IP, p.IP, p.NetworkID, p.MAC
		for _, fip := range s.floatingIP {
			if fip.PortID == p.ID {
				public = fip.Address
			}
		}
	}
	// Nova boots an image through UEFI when its hw_firmware_type says so.
	firmware := "bios"
	if img.Properties["hw_firmware_type"] == "uefi" {
		firmware = "uefi"
	}
	var drive *media.Spec
	if in.ConfigDrive {
		drive = configDrive(s.metadataTree(in))
	}
	b, err := s.opts.Box.Start(box.Spec{
		ID: in.ID, Disk: img.disk, DiskFormat: bootFormats[img.DiskFormat], Firmware: firmware,
		PublicIP: public, PrivateIP: private, Network: network, PrivatePrefix: 24, PrivateMAC: mac,
		Metadata: s.metadataHandler(in.ID), SMBIOS: bootSMBIOS(in), Media: drive,
		OnExit: func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if !in.deleting {
				in.shutoff = true
				s.stopBooted(in)
			}
		},
	})
	if err != nil {
		in.fault = fmt.Sprintf("Build of instance %s aborted: %v", in.ID, err)
		return
	}
	in.booted = b
}

// stopBooted stops a server's machine, keeping its console. s.mu must be
// held.
func (s *Server) stopBooted(in *Instance) {
	if in.booted == nil || in.bootedConsole != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	console := in.booted.Console()
	in.bootedConsole = &console
	_ = s.opts.Box.Stop(ctx, in.ID)
}

// consoleOf is what the server's console log holds.
func (in *Instance) consoleOf() string {
	switch {
	case in.bootedConsole != nil:
		return *in.bootedConsole
	case in.booted != nil:
		return in.booted.Console()
	}
	return in.Console
}
