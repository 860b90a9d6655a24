package sim

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/strata-os/strata/providers/qemu/box"
)

// Cloud-in-a-box: with Options.Box set, a snapshot import keeps the
// object's bytes as the snapshot's disk, and an instance of an AMI whose
// snapshot has one boots it in QEMU: its console is the machine's serial
// output, its guest reaches this instance's metadata service (imds.go),
// and terminating it stops the machine. AMIs without such a disk (made
// by tests) give instances that run but never boot, as without a box.

// BootedPlatform is the platformDetails of a booted instance: EC2's own,
// so the provider treats it as it treats a real one.
const BootedPlatform = "Linux/UNIX"

// importDisk copies an import task's object into the box, outside the
// lock; the task completes once the copy has.
func (s *Server) importDisk(t *ImportTask) {
	t.copying = true
	bucket, key, format := t.Bucket, t.Key, t.Format
	go func() {
		path, qformat, err := "", "", error(nil)
		var r io.ReadCloser
		if qformat, err = box.QEMUFormat(format); err == nil {
			if r, err = s.opts.S3.Open(bucket, key); err == nil {
				path, err = s.opts.Box.ImportDisk(t.ID+"."+strings.ToLower(format), r)
				r.Close()
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		t.copying, t.copied = false, true
		t.disk, t.diskFormat, t.diskErr = path, qformat, err
	}()
}

// bootSMBIOS are the strings a Nitro instance's firmware reports:
// cloud-init and Afterburn tell EC2 by them.
func bootSMBIOS(in *Instance) []string {
	uuid := "ec2" + strings.TrimPrefix(in.ID, "i-")
	for len(uuid) < 32 {
		uuid += "0"
	}
	uuid = uuid[:32]
	return []string{
		"type=0,vendor=Amazon EC2,version=1.0",
		"type=1,manufacturer=Amazon EC2,product=" + in.Type + ",serial=" + uuid[:8] + "-" + uuid[8:12] + "-" + uuid[12:16] + "-" + uuid[16:20] + "-" + uuid[20:] +
			",uuid=" + uuid[:8] + "-" + uuid[8:12] + "-" + uuid[12:16] + "-" + uuid[16:20] + "-" + uuid[20:],
		"type=3,manufacturer=Amazon EC2",
	}
}

// boot starts a launched instance's machine if its AMI has a disk. s.mu
// must be held.
func (s *Server) boot(in *Instance) error {
	if s.opts.Box == nil {
		return nil
	}
	im, ok := s.images[in.ImageID]
	if !ok {
		return nil
	}
	snap, ok := s.snapshots[im.SnapshotID]
	if !ok || snap.disk == "" {
		return nil
	}
	firmware := "bios"
	if im.BootMode == "uefi" {
		firmware = "uefi"
	}
	b, err := s.opts.Box.Start(box.Spec{
		ID: in.ID, Disk: snap.disk, DiskFormat: snap.diskFormat, Firmware: firmware,
		PublicIP: in.PublicIP, PrivateIP: in.PrivateIP, Network: s.vpcOf(in),
		Metadata: s.metadataHandler(in.ID), SMBIOS: bootSMBIOS(in),
		// A guest that powers off stops its instance, as EC2's default
		// shutdown behaviour does.
		OnExit: func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if in.State == "pending" || in.State == "running" {
				in.State, in.describes = "stopped", 0
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

// stopBooted stops a terminated instance's machine. s.mu must be held;
// a SIGKILLed QEMU is gone in milliseconds.
func (s *Server) stopBooted(in *Instance) {
	if in.booted == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = s.opts.Box.Stop(ctx, in.ID)
	in.bootedConsole = in.booted.Console()
}
