package sim

import (
	"bufio"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/strata-os/strata/providers/qemu/box"
)

// Cloud-in-a-box: with Options.Box set, a custom image's import keeps the
// disk it fetched in the box (decompressed, in the format it is in), and
// a droplet of such an image boots it in QEMU: its guest reaches the
// droplet metadata service (metadata.go) at 169.254.169.254 and its VPC
// peers at its private address, deleting it stops the machine, and a
// guest that powers off leaves the droplet "off", as DigitalOcean does.
// Public images and images added by tests give droplets that are active
// but never boot, as without a box.

// diskMagic tells the formats DigitalOcean imports apart by their first
// bytes, as QEMU names them; anything else is raw.
var diskMagic = []struct {
	magic  []byte
	format string
}{
	{[]byte("QFI\xfb"), "qcow2"},
	{[]byte("KDMV"), "vmdk"},
	{[]byte("vhdxfile"), "vhdx"},
	{[]byte("conectix"), "vpc"}, // a dynamic VHD starts with its footer's copy
	{[]byte("<<< Oracle VM VirtualBox Disk Image >>>"), "vdi"},
}

// importDisk reads an image's fetched body into the box, undoing gzip or
// bzip2 (as the import does), and returns the kept disk and its format.
// It runs without the lock.
func (s *Server) importDisk(id int, body io.Reader) (disk, format string, err error) {
	br := bufio.NewReaderSize(body, 64<<10)
	head, _ := br.Peek(4)
	var r io.Reader = br
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		gz, err := gzip.NewReader(br)
		if err != nil {
			return "", "", fmt.Errorf("the image is not valid gzip: %w", err)
		}
		r = gz
	case bytes.HasPrefix(head, []byte("BZh")):
		r = bzip2.NewReader(br)
	}
	inner := bufio.NewReaderSize(r, 64<<10)
	head, _ = inner.Peek(64)
	format = "raw"
	for _, m := range diskMagic {
		if bytes.HasPrefix(head, m.magic) {
			format = m.format
		}
	}
	disk, err = s.opts.Box.ImportDisk("image-"+strconv.Itoa(id)+"."+format, inner)
	return disk, format, err
}

// removeDisk drops an image's disk from the box.
func (s *Server) removeDisk(disk string) {
	if disk != "" && s.opts.Box != nil {
		_ = s.opts.Box.RemoveDisk(filepath.Base(disk))
	}
}

// bootSMBIOS are the strings a droplet's hypervisor sets.
func bootSMBIOS(d *Droplet) []string {
	return []string{
		"type=0,vendor=DigitalOcean",
		"type=1,manufacturer=DigitalOcean,product=Droplet,version=20171212,serial=" + strconv.Itoa(d.ID) + ",family=DigitalOcean_Droplet",
	}
}

// boot starts a created droplet's machine if its image has a disk. s.mu
// must be held.
func (s *Server) boot(d *Droplet) error {
	if s.opts.Box == nil || d.Image == nil || d.Image.disk == "" {
		return nil
	}
	b, err := s.opts.Box.Start(box.Spec{
		ID: strconv.Itoa(d.ID), Disk: d.Image.disk, DiskFormat: d.Image.format, Firmware: "bios",
		PublicIP: d.PublicIP, PrivateIP: d.PrivateIP, Network: vpcID(d.Region), PrivatePrefix: 20,
		Metadata: s.metadataHandler(d.ID), SMBIOS: bootSMBIOS(d),
		OnExit: func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if !d.deleting {
				d.off = true
				s.stopBooted(d)
			}
		},
	})
	if err != nil {
		return err
	}
	d.booted = b
	return nil
}

// stopBooted stops a droplet's machine. s.mu must be held.
func (s *Server) stopBooted(d *Droplet) {
	if d.booted == nil || d.stopped {
		return
	}
	d.stopped = true
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = s.opts.Box.Stop(ctx, strconv.Itoa(d.ID))
}
