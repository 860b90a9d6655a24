package api

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// simulatedOS is the osName strata's simulator reports for its machines,
// which run but never boot.
const simulatedOS = "strata simulator (does not boot)"

// CustomDataMax is the most custom data (userdata) a virtual machine
// takes: 64 KiB, sent as base64.
const CustomDataMax = 64 * 1024

// VMSpec is a virtual machine to create.
type VMSpec struct {
	Group, Name, Size string
	Image             ImageRef
	AdminUser         string
	SSHKeys           []string // authorized_keys lines, for AdminUser
	CustomData        []byte
	NICID             string
	Tags              map[string]string
}

// VM is a virtual machine as Azure reports it.
type VM struct {
	ID, Name string
	// State is provisioningState; Power the PowerState/… status.
	State, Power string
	// Simulated is true for machines of strata's simulator.
	Simulated bool
}

// CreateVM creates a virtual machine with boot diagnostics on (its serial
// log is the console), its OS disk deleted with it, and waits until Azure
// says it is provisioned.
func (c *Client) CreateVM(ctx context.Context, s VMSpec) error {
	op := fmt.Sprintf("create virtual machine %s", s.Name)
	if len(s.CustomData) > CustomDataMax {
		return fmt.Errorf("%s: userdata is %d bytes, more than Azure's custom data limit of %d", op, len(s.CustomData), CustomDataMax)
	}
	var keys []*armcompute.SSHPublicKey
	for _, k := range s.SSHKeys {
		keys = append(keys, &armcompute.SSHPublicKey{
			Path: to.Ptr("/home/" + s.AdminUser + "/.ssh/authorized_keys"), KeyData: to.Ptr(strings.TrimSpace(k)),
		})
	}
	osProfile := &armcompute.OSProfile{
		ComputerName: to.Ptr(s.Name), AdminUsername: to.Ptr(s.AdminUser),
		LinuxConfiguration: &armcompute.LinuxConfiguration{
			DisablePasswordAuthentication: to.Ptr(true),
			SSH:                           &armcompute.SSHConfiguration{PublicKeys: keys},
		},
	}
	// The userdata goes both ways Azure has: as custom data, which
	// cloud-init reads from the provisioning medium, and as user data,
	// which IMDS serves and Ignition reads first.
	var userData *string
	if len(s.CustomData) > 0 {
		osProfile.CustomData = to.Ptr(base64.StdEncoding.EncodeToString(s.CustomData))
		userData = osProfile.CustomData
	}
	p, err := c.vms.BeginCreateOrUpdate(ctx, s.Group, s.Name, armcompute.VirtualMachine{
		Location: to.Ptr(c.opts.Location), Tags: ptrMap(s.Tags),
		Properties: &armcompute.VirtualMachineProperties{
			HardwareProfile: &armcompute.HardwareProfile{VMSize: to.Ptr(armcompute.VirtualMachineSizeTypes(s.Size))},
			StorageProfile: &armcompute.StorageProfile{
				ImageReference: s.Image.reference(),
				OSDisk: &armcompute.OSDisk{
					CreateOption: to.Ptr(armcompute.DiskCreateOptionTypesFromImage),
					DeleteOption: to.Ptr(armcompute.DiskDeleteOptionTypesDelete),
					ManagedDisk:  &armcompute.ManagedDiskParameters{StorageAccountType: to.Ptr(armcompute.StorageAccountTypesStandardSSDLRS)},
				},
			},
			OSProfile: osProfile,
			UserData:  userData,
			NetworkProfile: &armcompute.NetworkProfile{NetworkInterfaces: []*armcompute.NetworkInterfaceReference{{
				ID: to.Ptr(s.NICID), Properties: &armcompute.NetworkInterfaceReferenceProperties{Primary: to.Ptr(true)},
			}}},
			DiagnosticsProfile: &armcompute.DiagnosticsProfile{BootDiagnostics: &armcompute.BootDiagnostics{Enabled: to.Ptr(true)}},
		},
	}, nil)
	if err != nil {
		return wrap(op, err)
	}
	_, err = p.PollUntilDone(ctx, c.pollOptions())
	return wrap(op, err)
}

// GetVM reads a virtual machine with its instance view.
func (c *Client) GetVM(ctx context.Context, group, name string) (*VM, error) {
	r, err := c.vms.Get(ctx, group, name, &armcompute.VirtualMachinesClientGetOptions{Expand: to.Ptr(armcompute.InstanceViewTypesInstanceView)})
	if err != nil {
		return nil, wrap("get virtual machine "+name, err)
	}
	vm := &VM{ID: deref(r.ID), Name: deref(r.Name)}
	if p := r.Properties; p != nil {
		vm.State = deref(p.ProvisioningState)
		if iv := p.InstanceView; iv != nil {
			vm.Simulated = deref(iv.OSName) == simulatedOS
			for _, st := range iv.Statuses {
				if code := deref(st.Code); strings.HasPrefix(code, "PowerState/") {
					vm.Power = strings.TrimPrefix(code, "PowerState/")
				}
			}
		}
	}
	return vm, nil
}

// VMs lists the names of a resource group's virtual machines.
func (c *Client) VMs(ctx context.Context, group string) ([]string, error) {
	pager := c.vms.NewListPager(group, nil)
	var out []string
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, wrap("list virtual machines of "+group, err)
		}
		for _, vm := range page.Value {
			out = append(out, deref(vm.Name))
		}
	}
	return out, nil
}

// DeleteVM deletes a virtual machine (its OS disk goes with it) and waits
// until Azure says it is gone. One that is not there is no error.
func (c *Client) DeleteVM(ctx context.Context, group, name string) error {
	op := "delete virtual machine " + name
	p, err := c.vms.BeginDelete(ctx, group, name, nil)
	return deleted(ctx, c, op, p, err)
}

// SerialLog is a virtual machine's serial console log from its boot
// diagnostics: a blob read through the shared-access URL Azure hands out.
func (c *Client) SerialLog(ctx context.Context, group, name string) (string, error) {
	op := "serial log of " + name
	r, err := c.vms.RetrieveBootDiagnosticsData(ctx, group, name, &armcompute.VirtualMachinesClientRetrieveBootDiagnosticsDataOptions{SasURIExpirationTimeInMinutes: to.Ptr[int32](10)})
	if err != nil {
		return "", wrap(op, err)
	}
	uri := deref(r.SerialConsoleLogBlobURI)
	if uri == "" {
		return "", fmt.Errorf("%s: Azure gave no serial log URL", op)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return "", fmt.Errorf("%s: %w", op, err)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// The URL carries a signature: not in the error.
		return "", fmt.Errorf("%s: read the log blob: %w", op, errorWithoutURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: read the log blob: %s", op, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return "", fmt.Errorf("%s: read the log blob: %w", op, err)
	}
	return string(b), nil
}
