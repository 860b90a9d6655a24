package sim

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/strata-os/strata/providers/qemu/box"
)

// Cloud-in-a-box: with Options.Box set, an image made from a Cloud
// Storage object keeps the object's disk.raw in the box, and an instance
// of such an image boots it in QEMU: its serial port is the machine's, its
// guest reaches this instance's metadata server (metadata.go), deleting
// it stops the machine, and a guest that powers off leaves the instance
// TERMINATED, as Compute Engine does. Images without a disk (added by
// tests) give instances that run but never boot, as without a box.

// BootedPlatform is the cpuPlatform of a booted instance.
const BootedPlatform = "Intel Cascade Lake"

// extractDisk keeps disk.raw of an image's tar.gz in the box. s.mu is
// held: the copy is one pass over the object, and a mostly empty disk
// compresses to little.
func (s *Server) extractDisk(img *Image, o *object) error {
	r := o.open(0, o.size)
	defer r.Close()
	gz, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("the object is not gzip-compressed: %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return errors.New("the archive holds no disk.raw")
		}
		if err != nil {
			return fmt.Errorf("read the archive: %w", err)
		}
		if h.Name == "disk.raw" || h.Name == "./disk.raw" {
			path, err := s.opts.Box.ImportDisk("image-"+img.Project+"-"+img.Name+".raw", tr)
			if err != nil {
				return err
			}
			img.disk = path
			return nil
		}
	}
}

// bootSMBIOS are the strings Compute Engine's firmware reports.
func bootSMBIOS(in *Instance) []string {
	return []string{
		"type=0,vendor=Google,version=Google",
		"type=1,manufacturer=Google,product=Google Compute Engine,serial=GoogleCloud-" + fmt.Sprintf("%016X", in.id),
		"type=3,manufacturer=Google",
	}
}

// boot starts an inserted instance's machine if its image has a disk.
// s.mu must be held.
func (s *Server) boot(in *Instance) error {
	if s.opts.Box == nil {
		return nil
	}
	img, aerr := s.resolveImage(in.Image)
	if aerr != nil || img.disk == "" {
		return nil
	}
	b, err := s.opts.Box.Start(box.Spec{
		ID: in.Name, Disk: img.disk, DiskFormat: "raw", Firmware: "bios",
		PublicIP: in.PublicIP, PrivateIP: in.PrivateIP, Network: in.Network, PrivatePrefix: 9,
		Metadata: s.metadataHandler(in.Name), SMBIOS: bootSMBIOS(in),
		OnExit: func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if !in.deleting {
				in.Status = "TERMINATED"
				s.stopBooted(in)
			}
		},
	})
	if err != nil {
		return err
	}
	in.booted = b
	return nil
}

// stopBooted stops an instance's machine, keeping its console. s.mu must
// be held.
func (s *Server) stopBooted(in *Instance) {
	if in.booted == nil || in.bootedConsole != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in.bootedConsole = []byte(in.booted.Console())
	_ = s.opts.Box.Stop(ctx, in.Name)
}

// consoleOf is what the serial port shows.
func (in *Instance) consoleOf() []byte {
	switch {
	case in.bootedConsole != nil:
		return in.bootedConsole
	case in.booted != nil:
		return []byte(in.booted.Console())
	}
	return in.console
}
