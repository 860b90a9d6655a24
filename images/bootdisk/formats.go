package bootdisk

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// Formats are the disk formats Convert writes, each the one a cloud's
// upload takes: raw and qcow2 (QEMU, OpenStack), a fixed VHD (Azure), a
// stream-optimized VMDK and an OVA around it (vSphere), and disk.raw in a
// tar.gz (Compute Engine).
func Formats() []string { return []string{"raw", "qcow2", "vhd", "vmdk", "ova", "gce-tar"} }

// Convert writes the raw disk at raw to out in format; name names the
// machine in an OVA's descriptor. Every format is byte-identical for the
// same raw disk and epoch.
func Convert(ctx context.Context, raw, format, out, name string, epoch int64) error {
	switch format {
	case "raw":
		return copyFile(raw, out)
	case "qcow2":
		return run(ctx, nil, nil, "qemu-img", "convert", "-q", "-O", "qcow2", raw, out)
	case "vhd":
		return writeFixedVHD(ctx, raw, out, epoch)
	case "vmdk":
		return writeStreamVMDK(ctx, raw, out)
	case "ova":
		return writeOVA(ctx, raw, out, name, epoch)
	case "gce-tar":
		return writeGCETar(raw, out, epoch)
	}
	return fmt.Errorf("disk format %q: want one of %v", format, Formats())
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(fi.Size()); err != nil {
		return err
	}
	if err := copyAt(f, src, 0); err != nil {
		return err
	}
	return f.Close()
}

// vhdEpoch is where VHD timestamps count from (2000-01-01 UTC).
const vhdEpoch = 946684800

// vhdDiskID is the VHD's unique ID: fixed, so builds are identical.
var vhdDiskID = [16]byte{0x73, 0x74, 0x72, 0x61, 0x74, 0x61, 0x2d, 0x76, 0x68, 0x64, 0x2d, 0x64, 0x69, 0x73, 0x6b, 0x31}

// writeFixedVHD writes a fixed VHD the way Azure's documentation makes
// one (qemu-img, subformat=fixed, force_size: the size exact, not rounded
// to a CHS geometry), then replaces the creation time and the random disk
// ID in its footer and the footer's checksum. Azure takes fixed VHDs whose
// size is a whole number of MiB, which WriteRaw's disks are.
func writeFixedVHD(ctx context.Context, raw, out string, epoch int64) error {
	fi, err := os.Stat(raw)
	if err != nil {
		return err
	}
	size := fi.Size()
	if size%mib != 0 {
		return fmt.Errorf("vhd: a disk of %d bytes is not a whole number of MiB (Azure refuses it)", size)
	}
	if err := run(ctx, nil, nil, "qemu-img", "convert", "-q", "-O", "vpc", "-o", "subformat=fixed,force_size=on", raw, out); err != nil {
		return err
	}
	f, err := os.OpenFile(out, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	footer := make([]byte, 512)
	if _, err := f.ReadAt(footer, size); err != nil {
		return fmt.Errorf("vhd footer: %w", err)
	}
	if string(footer[:8]) != "conectix" {
		return fmt.Errorf("vhd: no footer after the %d bytes of disk", size)
	}
	setVHDIdentity(footer, epoch)
	if _, err := f.WriteAt(footer, size); err != nil {
		return err
	}
	return f.Close()
}

// setVHDIdentity sets a footer's timestamp and unique ID and recomputes
// its checksum (the one's complement of the sum of its other bytes).
func setVHDIdentity(footer []byte, epoch int64) {
	be := binary.BigEndian
	be.PutUint32(footer[24:], uint32(max(epoch-vhdEpoch, 0)))
	copy(footer[68:84], vhdDiskID[:])
	be.PutUint32(footer[64:], 0)
	var sum uint32
	for _, x := range footer {
		sum += uint32(x)
	}
	be.PutUint32(footer[64:], ^sum)
}

// vmdkCID matches the content IDs qemu-img writes into a VMDK's
// descriptor: random, and in hex without leading zeros.
var vmdkCID = regexp.MustCompile(`(?m)^(CID|parentCID)=[0-9a-f]{1,8}$`)

// writeStreamVMDK converts to a stream-optimized VMDK (what vSphere's OVF
// import takes) and fixes its random content ID.
func writeStreamVMDK(ctx context.Context, raw, out string) error {
	if err := run(ctx, nil, nil, "qemu-img", "convert", "-q", "-O", "vmdk", "-o", "subformat=streamOptimized,adapter_type=lsilogic", raw, out); err != nil {
		return err
	}
	return fixVMDKDescriptor(out)
}

// fixVMDKDescriptor sets the content IDs in a sparse VMDK's descriptor.
func fixVMDKDescriptor(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	// The sparse extent header says where the descriptor is (sectors).
	header := make([]byte, 512)
	if _, err := f.ReadAt(header, 0); err != nil {
		return fmt.Errorf("vmdk header: %w", err)
	}
	if string(header[:4]) != "KDMV" {
		return fmt.Errorf("vmdk: qemu-img wrote no sparse extent header")
	}
	le := binary.LittleEndian
	off, n := int64(le.Uint64(header[28:]))*sector, int64(le.Uint64(header[36:]))*sector
	if off == 0 || n == 0 || n > mib {
		return fmt.Errorf("vmdk: descriptor at sector %d, %d sectors", off/sector, n/sector)
	}
	area := make([]byte, n)
	if _, err := f.ReadAt(area, off); err != nil {
		return fmt.Errorf("vmdk descriptor: %w", err)
	}
	text := area
	if i := bytes.IndexByte(area, 0); i >= 0 {
		text = area[:i]
	}
	if !vmdkCID.Match(text) {
		return fmt.Errorf("vmdk: no CID in qemu-img's descriptor")
	}
	fixed := vmdkCID.ReplaceAllFunc(text, func(line []byte) []byte {
		if bytes.HasPrefix(line, []byte("parentCID=")) {
			return []byte("parentCID=ffffffff") // no parent, as VMware writes it
		}
		return []byte("CID=5354524b")
	})
	if len(fixed) > len(area) {
		return fmt.Errorf("vmdk: the descriptor outgrows its %d bytes", len(area))
	}
	clear(area)
	copy(area, fixed)
	if _, err := f.WriteAt(area, off); err != nil {
		return err
	}
	return f.Close()
}

// writeOVA writes an OVA: a tar holding, in the order the OVF standard
// requires, the descriptor, the stream-optimized disk and a manifest of
// their SHA-256 sums.
func writeOVA(ctx context.Context, raw, out, name string, epoch int64) error {
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".ova-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	diskName := name + "-disk1.vmdk"
	vmdk := filepath.Join(tmp, diskName)
	if err := writeStreamVMDK(ctx, raw, vmdk); err != nil {
		return err
	}
	vfi, err := os.Stat(vmdk)
	if err != nil {
		return err
	}
	rfi, err := os.Stat(raw)
	if err != nil {
		return err
	}
	ovf := []byte(ovfDescriptor(name, diskName, vfi.Size(), rfi.Size()))

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	mtime := time.Unix(epoch, 0)
	add := func(member string, size int64, r io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: member, Mode: 0o644, Size: size, ModTime: mtime, Format: tar.FormatUSTAR}); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	}
	if err := add(name+".ovf", int64(len(ovf)), bytes.NewReader(ovf)); err != nil {
		return err
	}
	df, err := os.Open(vmdk)
	if err != nil {
		return err
	}
	defer df.Close()
	// The manifest comes last, so the disk is hashed as it goes in.
	diskHash := sha256.New()
	if err := add(diskName, vfi.Size(), io.TeeReader(df, diskHash)); err != nil {
		return err
	}
	ovfSum := sha256.Sum256(ovf)
	manifest := fmt.Sprintf("SHA256(%s.ovf)= %s\nSHA256(%s)= %s\n", name, hex.EncodeToString(ovfSum[:]), diskName, hex.EncodeToString(diskHash.Sum(nil)))
	if err := add(name+".mf", int64(len(manifest)), bytes.NewReader([]byte(manifest))); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return f.Close()
}

// ovfDescriptor describes a machine with the disk: two CPUs, 2 GiB, EFI
// firmware (the disk also boots BIOS), the disk on an LSI Logic SCSI
// controller, one VMXNET3 network card and a serial port, in OVF 1.0 with
// VMware's extensions as vSphere exports them.
func ovfDescriptor(name, diskFile string, diskBytes, capacity int64) string {
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:vmw="http://www.vmware.com/schema/ovf">
  <References>
    <File ovf:href="%[2]s" ovf:id="file1" ovf:size="%[3]d"/>
  </References>
  <DiskSection>
    <Info>Virtual disks</Info>
    <Disk ovf:capacity="%[4]d" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <NetworkSection>
    <Info>Networks</Info>
    <Network ovf:name="VM Network">
      <Description>The VM Network network</Description>
    </Network>
  </NetworkSection>
  <VirtualSystem ovf:id="%[1]s">
    <Info>A strata test machine</Info>
    <Name>%[1]s</Name>
    <OperatingSystemSection ovf:id="101" vmw:osType="other5xLinux64Guest">
      <Info>The guest operating system</Info>
    </OperatingSystemSection>
    <VirtualHardwareSection>
      <Info>Virtual hardware</Info>
      <System>
        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemIdentifier>%[1]s</vssd:VirtualSystemIdentifier>
        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
        <rasd:ElementName>2 virtual CPUs</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:ElementName>2048MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>2048</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:Address>0</rasd:Address>
        <rasd:ElementName>SCSI controller 0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>
        <rasd:ResourceType>6</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>0</rasd:AddressOnParent>
        <rasd:ElementName>Hard disk 1</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:AddressOnParent>7</rasd:AddressOnParent>
        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
        <rasd:Connection>VM Network</rasd:Connection>
        <rasd:ElementName>Network adapter 1</rasd:ElementName>
        <rasd:InstanceID>5</rasd:InstanceID>
        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
        <rasd:ResourceType>10</rasd:ResourceType>
      </Item>
      <Item ovf:required="false">
        <rasd:AutomaticAllocation>false</rasd:AutomaticAllocation>
        <rasd:ElementName>Serial port 1</rasd:ElementName>
        <rasd:InstanceID>6</rasd:InstanceID>
        <rasd:ResourceType>21</rasd:ResourceType>
      </Item>
      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
`, name, diskFile, diskBytes, capacity)
}

// writeGCETar writes Compute Engine's image archive: a gzipped tar holding
// the raw disk as disk.raw, in the GNU format Google's docs ask for.
func writeGCETar(raw, out string, epoch int64) error {
	in, err := os.Open(raw)
	if err != nil {
		return err
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	// No name or time in the gzip header: the same disk, the same bytes.
	gz, err := gzip.NewWriterLevel(f, gzip.BestSpeed)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: "disk.raw", Mode: 0o644, Size: fi.Size(),
		ModTime: time.Unix(epoch, 0), Format: tar.FormatGNU}); err != nil {
		return err
	}
	if _, err := io.Copy(tw, in); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return f.Close()
}
