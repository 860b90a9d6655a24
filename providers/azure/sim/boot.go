package sim

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/strata-os/strata/providers/qemu/box"
)

// Cloud-in-a-box: with Options.Box set, a managed image or gallery image
// version made from a VHD page blob (or from a managed image that has
// one) keeps a copy of the VHD in the box, as Azure copies it, and a
// virtual machine of such an image boots it in QEMU: its guest reaches
// the Instance Metadata Service at 169.254.169.254 and the WireServer at
// 168.63.129.16 (metadata.go), and the machine's creation stays
// InProgress until the guest reports itself ready there, as Azure's
// provisioning does. Its boot diagnostics serve its real serial log;
// deleting it stops the machine; a guest that powers off leaves it
// PowerState/stopped, and one that does so before it reported ready
// fails the creation with OSProvisioningClientError. Marketplace images
// and images without a VHD give machines that never boot.

// bootedVM is a machine the box runs for a virtual machine.
type bootedVM struct {
	in *box.Instance
	id string // the box's ID for it: the machine's vmId (names repeat across groups)
	// ready is set when the guest reported Ready to the WireServer; off
	// when the guest powered off; console is the serial log once the
	// machine stopped.
	ready, off, stopped, deleting bool
	console                       string
	metadataLog                   []MetadataRequest
}

// provisioningTimeout is how long Azure waits for a guest to report
// ready before it fails the machine's creation (OSProvisioningTimedOut).
const provisioningTimeout = 20 * time.Minute

// importImageDisk keeps the VHD an image or gallery version is made of,
// read from its blob (or from its source image's copy). s.mu is held:
// the copy is one pass, and the box keeps only the non-zero blocks.
func (s *Server) importImageDisk(res *Resource) *armError {
	if s.opts.Box == nil {
		return nil
	}
	p := res.Properties
	var r io.Reader
	switch {
	case getString(p, "storageProfile", "osDisk", "blobUri") != "":
		r = s.blobReader(getString(p, "storageProfile", "osDisk", "blobUri"))
	case getString(p, "storageProfile", "osDiskImage", "source", "uri") != "":
		r = s.blobReader(getString(p, "storageProfile", "osDiskImage", "source", "uri"))
	case getString(p, "storageProfile", "source", "id") != "":
		src := s.disks[strings.ToLower(getString(p, "storageProfile", "source", "id"))]
		if src == "" {
			return nil
		}
		f, err := os.Open(src)
		if err != nil {
			return &armError{500, "InternalError", fmt.Sprintf("read the source image's disk: %v", err)}
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		return nil
	}
	path, err := s.opts.Box.ImportDisk(fmt.Sprintf("image-%d.vhd", s.nextID()), r)
	if err != nil {
		return &armError{500, "InternalError", fmt.Sprintf("copy the image's VHD: %v", err)}
	}
	s.disks[strings.ToLower(res.ID)] = path
	return nil
}

// blobReader reads a blob of this simulator by its URL, or nil.
func (s *Server) blobReader(uri string) io.Reader {
	u, err := url.Parse(uri)
	if err != nil {
		return nil
	}
	p := parseBlobPath(u.Path)
	b := s.findBlob(p.account, p.container, p.blob)
	if b == nil {
		return nil
	}
	return io.NewSectionReader(b.data, 0, b.data.Size())
}

// imageRemoved drops an image's or gallery version's copy of its VHD (a
// machine booted from it keeps reading it: QEMU holds it open).
func imageRemoved(s *Server, res *Resource) {
	key := strings.ToLower(res.ID)
	if path := s.disks[key]; path != "" && s.opts.Box != nil {
		_ = s.opts.Box.RemoveDisk(filepath.Base(path))
	}
	delete(s.disks, key)
}

// bootSMBIOS are the strings Hyper-V gives an Azure guest; the chassis
// asset tag is how cloud-init and others know they are on Azure.
func bootSMBIOS(vmID string) []string {
	return []string{
		"type=1,manufacturer=Microsoft Corporation,product=Virtual Machine,version=7.0,serial=0000-0000-0000-0000-0000-0000-00,uuid=" + vmID + ",family=Virtual Machine",
		"type=3,manufacturer=Microsoft Corporation,asset=7783-7084-3265-9085-8269-3286-77",
	}
}

// bootVM starts a created machine if its image has a VHD. s.mu is held.
func (s *Server) bootVM(res *Resource) *armError {
	if s.opts.Box == nil {
		return nil
	}
	imageID := getString(res.Properties, "storageProfile", "imageReference", "id")
	if v := getString(res.Properties, "storageProfile", "imageReference", "exactVersion"); v != "" {
		imageID += "/versions/" + v // a gallery image definition's latest
	}
	disk := s.disks[strings.ToLower(imageID)]
	if disk == "" {
		return nil
	}
	// A Hyper-V generation 2 image boots through UEFI, as on Azure.
	firmware := "bios"
	if strings.EqualFold(s.hyperVGeneration(imageID), "V2") {
		firmware = "uefi"
	}
	public, private, network, prefix := s.vmAddresses(res)
	key := strings.ToLower(res.ID)
	vmID := getString(res.Properties, "vmId")
	bv := &bootedVM{id: vmID}
	provisioning, err := provisioningMedia(res)
	if err != nil {
		return &armError{500, "InternalError", fmt.Sprintf("the machine's provisioning disc: %v", err)}
	}
	in, err := s.opts.Box.Start(box.Spec{
		ID: vmID, Disk: disk, DiskFormat: "vpc", Firmware: firmware,
		PublicIP: public, PrivateIP: private, Network: network, PrivatePrefix: prefix,
		Metadata: s.imdsHandler(key), WireServer: s.wireServerHandler(key), SMBIOS: bootSMBIOS(vmID),
		Media: provisioning,
		OnExit: func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			if !bv.deleting {
				bv.off = true
				s.stopBooted(bv)
			}
		},
	})
	if err != nil {
		return &armError{500, "AllocationFailed", fmt.Sprintf("Allocation failed: the simulator could not start the machine: %v", err)}
	}
	bv.in = in
	s.booted[key] = bv
	return nil
}

// hyperVGeneration is a managed image's generation, or a gallery image
// version's definition's.
func (s *Server) hyperVGeneration(imageID string) string {
	img := s.byID(imageID)
	if img == nil {
		return ""
	}
	if strings.EqualFold(img.Type, "Microsoft.Compute/galleries/images/versions") {
		if def := s.byID(img.ID[:strings.LastIndex(strings.ToLower(img.ID), "/versions/")]); def != nil {
			return getString(def.Properties, "hyperVGeneration")
		}
	}
	return getString(img.Properties, "hyperVGeneration")
}

// vmAddresses are a machine's public and private addresses, its virtual
// network and the subnet's prefix length, from its first NIC.
func (s *Server) vmAddresses(vm *Resource) (public, private, network string, prefix int) {
	prefix = 16
	nics := getList(vm.Properties, "networkProfile", "networkInterfaces")
	if len(nics) == 0 {
		return
	}
	nic := s.byID(getString(nics[0], "id"))
	if nic == nil {
		return
	}
	ipcs := getList(nic.Properties, "ipConfigurations")
	if len(ipcs) == 0 {
		return
	}
	private = getString(ipcs[0], "properties", "privateIPAddress")
	if pip := s.byID(getString(ipcs[0], "properties", "publicIPAddress", "id")); pip != nil {
		public = getString(pip.Properties, "ipAddress")
	}
	if public == "" {
		public = private
	}
	subnetID := getString(ipcs[0], "properties", "subnet", "id")
	network = strings.ToLower(subnetID[:max(0, strings.Index(strings.ToLower(subnetID), "/subnets/"))])
	if sub := s.byID(subnetID); sub != nil {
		if _, n, err := net.ParseCIDR(getString(sub.Properties, "addressPrefix")); err == nil {
			prefix, _ = n.Mask.Size()
		}
	}
	return
}

// vmReady holds a booted machine's creation until its guest reports
// ready, fails it when the guest powered off first or took longer than
// Azure waits, cancels it when the machine is deleted meanwhile, and lets any other machine's creation finish. s.mu is
// held.
func (s *Server) vmReadyOf(res *Resource) func() (bool, *armError) {
	key := strings.ToLower(res.ID)
	return func() (bool, *armError) {
		bv := s.booted[key]
		switch {
		case bv == nil || bv.ready:
			return true, nil
		case bv.deleting:
			// A delete preempts the create: ARM cancels it.
			res.State = "Canceled"
			return false, &armError{409, operationPreempted, fmt.Sprintf("Operation 'Create or Update Virtual Machine' on VM '%s' has been preempted by a more recent operation.", res.Name)}
		case bv.off:
			res.State = "Failed"
			return false, &armError{409, "OSProvisioningClientError", fmt.Sprintf("OS provisioning for VM '%s' failed: the guest stopped before it reported ready. See its boot diagnostics.", res.Name)}
		case s.opts.Now().Sub(res.Created) > provisioningTimeout:
			res.State = "Failed"
			return false, &armError{409, "OSProvisioningTimedOut", fmt.Sprintf("OS Provisioning for VM '%s' did not finish in the allotted time. The VM may still finish provisioning successfully.", res.Name)}
		}
		return false, nil
	}
}

// stopBooted stops a machine, keeping its serial log. s.mu is held.
func (s *Server) stopBooted(bv *bootedVM) {
	if bv.in == nil || bv.stopped {
		return
	}
	bv.stopped = true
	bv.console = bv.in.Console()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = s.opts.Box.Stop(ctx, bv.id)
}
