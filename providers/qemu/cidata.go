package qemu

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	diskfs "github.com/diskfs/go-diskfs"
	"github.com/diskfs/go-diskfs/disk"
	"github.com/diskfs/go-diskfs/filesystem"
	"github.com/diskfs/go-diskfs/filesystem/iso9660"
	"gopkg.in/yaml.v3"
)

// cidata is what a cloud-init NoCloud seed disk holds.
type cidata struct {
	InstanceID string
	Hostname   string
	PublicKeys []string
	UserData   []byte // cloud-config or a #! script
	// PrivateAddress is eth1's address with its prefix ("10.77.0.2/24").
	PrivateAddress string
}

// writeCIData writes an ISO9660 seed (volume label "cidata", Rock Ridge
// and Joliet for the long file names) as cloud-localds would.
func writeCIData(path string, c cidata) error {
	meta := map[string]any{"instance-id": c.InstanceID, "local-hostname": c.Hostname}
	if len(c.PublicKeys) > 0 {
		meta["public-keys"] = c.PublicKeys
	}
	metaYAML, err := yaml.Marshal(meta)
	if err != nil {
		return err
	}
	// eth0 is QEMU's user network (DHCP from slirp), eth1 the cluster's.
	network := map[string]any{
		"version": 2,
		"ethernets": map[string]any{
			"eth0": map[string]any{"dhcp4": true},
			"eth1": map[string]any{"addresses": []string{c.PrivateAddress}},
		},
	}
	netYAML, err := yaml.Marshal(network)
	if err != nil {
		return err
	}
	userData := c.UserData
	if len(strings.TrimSpace(string(userData))) == 0 {
		userData = []byte("#cloud-config\n{}\n")
	}

	work, err := os.MkdirTemp(filepath.Dir(path), "cidata-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	d, err := diskfs.Create(path, 4<<20, diskfs.SectorSizeDefault)
	if err != nil {
		return fmt.Errorf("cidata disk: %w", err)
	}
	defer d.Close()
	d.LogicalBlocksize = 2048 // the ISO9660 standard's; what Linux's isofs reads
	fs, err := d.CreateFilesystem(disk.FilesystemSpec{Partition: 0, FSType: filesystem.TypeISO9660, VolumeLabel: "cidata", WorkDir: work})
	if err != nil {
		return fmt.Errorf("cidata filesystem: %w", err)
	}
	for name, data := range map[string][]byte{"/meta-data": metaYAML, "/user-data": userData, "/network-config": netYAML} {
		f, err := fs.OpenFile(name, os.O_CREATE|os.O_RDWR)
		if err != nil {
			return fmt.Errorf("cidata %s: %w", name, err)
		}
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("cidata %s: %w", name, err)
		}
		f.Close()
	}
	iso, ok := fs.(*iso9660.FileSystem)
	if !ok {
		return fmt.Errorf("cidata: not an ISO9660 filesystem")
	}
	if err := iso.Finalize(iso9660.FinalizeOptions{RockRidge: true, Joliet: true, VolumeIdentifier: "cidata"}); err != nil {
		return fmt.Errorf("cidata finalize: %w", err)
	}
	return nil
}
