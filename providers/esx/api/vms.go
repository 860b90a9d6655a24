package api

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// MachineSpec is a virtual machine to clone from a template.
type MachineSpec struct {
	Name, Template string
	// Annotation is the VM's notes: strata's mark.
	Annotation string
	// ExtraConfig are guestinfo keys and values (userdata, the key).
	ExtraConfig map[string]string
	// Console, if true, gives the VM a serial port written to a file of
	// the datastore, ConsolePath(Name).
	Console bool
}

// VM is what strata reads of a virtual machine.
type VM struct {
	Ref        types.ManagedObjectReference
	Name       string
	Annotation string
	PowerState string
	Template   bool
}

// ConsolePath is where a VM's serial console is written on the datastore.
func ConsolePath(name string) string { return name + "/serial-console.log" }

// Clone makes a VM from the template, not powered on, in the pool,
// datastore and folder of the options.
func (c *Client) Clone(ctx context.Context, s MachineSpec) (VM, error) {
	op := "clone " + s.Template + " to " + s.Name
	tmpl, err := c.find.VirtualMachine(ctx, s.Template)
	if err != nil {
		return VM{}, &Error{Op: op, Fault: "NotFound", Message: err.Error(), err: err}
	}
	pool, err := c.pool(ctx, tmpl)
	if err != nil {
		return VM{}, &Error{Op: op + ": resource pool " + quoteOrDefault(c.opts.ResourcePool), Fault: "NotFound", Message: err.Error(), err: err}
	}
	ds, err := c.find.DatastoreOrDefault(ctx, c.opts.Datastore)
	if err != nil {
		return VM{}, &Error{Op: op + ": datastore " + quoteOrDefault(c.opts.Datastore), Fault: "NotFound", Message: err.Error(), err: err}
	}
	folder, err := c.find.FolderOrDefault(ctx, c.opts.Folder)
	if err != nil {
		return VM{}, &Error{Op: op + ": folder " + quoteOrDefault(c.opts.Folder), Fault: "NotFound", Message: err.Error(), err: err}
	}
	poolRef, dsRef := pool.Reference(), ds.Reference()
	config := &types.VirtualMachineConfigSpec{Annotation: s.Annotation}
	for k, v := range s.ExtraConfig {
		config.ExtraConfig = append(config.ExtraConfig, &types.OptionValue{Key: k, Value: v})
	}
	if s.Console {
		port := &types.VirtualSerialPort{VirtualDevice: types.VirtualDevice{
			Key: -1,
			Backing: &types.VirtualSerialPortFileBackingInfo{VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{
				FileName: fmt.Sprintf("[%s] %s", ds.Name(), ConsolePath(s.Name))}},
			Connectable: &types.VirtualDeviceConnectInfo{StartConnected: true, Connected: true},
		}, YieldOnPoll: true}
		config.DeviceChange = append(config.DeviceChange, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd, Device: port})
	}
	if c.opts.Network != "" {
		if err := c.network(ctx, tmpl, config); err != nil {
			return VM{}, &Error{Op: op + ": network " + quoteOrDefault(c.opts.Network), Fault: "NotFound", Message: err.Error(), err: err}
		}
	}
	spec := types.VirtualMachineCloneSpec{Location: types.VirtualMachineRelocateSpec{Pool: &poolRef, Datastore: &dsRef}, Config: config}
	ref, err := c.cloneOnce(ctx, op, tmpl, folder, s.Name, spec)
	if err != nil {
		return VM{}, err
	}
	// vCenter keeps a clone spec's annotation; govmomi's simulator drops
	// it, so it is set again where it is missing.
	if got, err := c.Annotation(ctx, ref); err != nil || got != s.Annotation {
		task, err := object.NewVirtualMachine(c.vim, ref).Reconfigure(ctx, types.VirtualMachineConfigSpec{Annotation: s.Annotation})
		if err == nil {
			_, err = task.WaitForResult(ctx, nil)
		}
		if err != nil {
			return VM{Ref: ref, Name: s.Name}, wrap(op+": annotate", err)
		}
	}
	return VM{Ref: ref, Name: s.Name, Annotation: s.Annotation, PowerState: string(types.VirtualMachinePowerStatePoweredOff)}, nil
}

// pool is the options' resource pool, or the template's own (a VM's,
// or for a template the default one: templates have none).
func (c *Client) pool(ctx context.Context, tmpl *object.VirtualMachine) (*object.ResourcePool, error) {
	if c.opts.ResourcePool != "" {
		return c.find.ResourcePool(ctx, c.opts.ResourcePool)
	}
	if p, err := tmpl.ResourcePool(ctx); err == nil {
		return p, nil
	}
	return c.find.DefaultResourcePool(ctx)
}

// cloneOnce clones, and after a failure whose effect is unknown (or a
// name already taken) looks for the VM by its name, which no other VM
// has (machine names have a random part), before it clones again.
func (c *Client) cloneOnce(ctx context.Context, op string, tmpl *object.VirtualMachine, folder *object.Folder, name string, spec types.VirtualMachineCloneSpec) (types.ManagedObjectReference, error) {
	for n := 0; ; n++ {
		task, err := tmpl.Clone(ctx, folder, name, spec)
		var info *types.TaskInfo
		if err == nil {
			info, err = task.WaitForResult(ctx, nil)
		}
		if err == nil {
			if ref, ok := info.Result.(types.ManagedObjectReference); ok {
				return ref, nil
			}
			return types.ManagedObjectReference{}, fmt.Errorf("%s: the task gave no virtual machine", op)
		}
		err = wrap(op, err)
		if ctx.Err() != nil || (IsTerminal(err) && Fault(err) != "DuplicateName") {
			return types.ManagedObjectReference{}, err
		}
		if vm, ferr := c.find.VirtualMachine(ctx, path.Join(folder.InventoryPath, name)); ferr == nil {
			return vm.Reference(), nil
		} else if vms, ferr := c.VMs(ctx, ""); ferr == nil {
			for _, vm := range vms {
				if vm.Name == name {
					return vm.Ref, nil
				}
			}
		}
		if n >= c.opts.MaxRetries {
			return types.ManagedObjectReference{}, err
		}
		if werr := waitBefore(ctx, n, err); werr != nil {
			return types.ManagedObjectReference{}, werr
		}
	}
}

// network moves the template's first network card to the options'
// network.
func (c *Client) network(ctx context.Context, tmpl *object.VirtualMachine, config *types.VirtualMachineConfigSpec) error {
	net, err := c.find.NetworkOrDefault(ctx, c.opts.Network)
	if err != nil {
		return err
	}
	backing, err := net.EthernetCardBackingInfo(ctx)
	if err != nil {
		return err
	}
	devices, err := tmpl.Device(ctx)
	if err != nil {
		return err
	}
	cards := devices.SelectByType((*types.VirtualEthernetCard)(nil))
	if len(cards) == 0 {
		return fmt.Errorf("the template has no network card")
	}
	card := cards[0]
	card.GetVirtualDevice().Backing = backing
	config.DeviceChange = append(config.DeviceChange, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: card})
	return nil
}

// PowerOn powers a VM on.
func (c *Client) PowerOn(ctx context.Context, ref types.ManagedObjectReference) error {
	vm := object.NewVirtualMachine(c.vim, ref)
	task, err := vm.PowerOn(ctx)
	if err == nil {
		_, err = task.WaitForResult(ctx, nil)
	}
	if err = wrap("power on "+ref.Value, err); Fault(err) == "InvalidPowerState" {
		// A retried power-on whose first try took effect.
		if state, serr := vm.PowerState(ctx); serr == nil && state == types.VirtualMachinePowerStatePoweredOn {
			return nil
		}
	}
	return err
}

// WaitForIP waits until the VM's guest reports an IPv4 address.
func (c *Client) WaitForIP(ctx context.Context, ref types.ManagedObjectReference) (string, error) {
	ip, err := object.NewVirtualMachine(c.vim, ref).WaitForIP(ctx, true)
	return ip, wrap("wait for the address of "+ref.Value, err)
}

// Destroy powers a VM off (if it is on) and deletes it with its disks;
// one that is not there is no error.
func (c *Client) Destroy(ctx context.Context, ref types.ManagedObjectReference) error {
	vm := object.NewVirtualMachine(c.vim, ref)
	state, err := vm.PowerState(ctx)
	if err != nil {
		if err = wrap("destroy "+ref.Value, err); IsNotFound(err) {
			return nil
		}
		return err
	}
	if state == types.VirtualMachinePowerStatePoweredOn {
		if task, err := vm.PowerOff(ctx); err == nil {
			_, _ = task.WaitForResult(ctx, nil) // powered off meanwhile is fine
		}
	}
	task, err := vm.Destroy(ctx)
	if err == nil {
		_, err = task.WaitForResult(ctx, nil)
	}
	if err = wrap("destroy "+ref.Value, err); IsNotFound(err) {
		return nil
	}
	return err
}

// VMs lists the datacenter's virtual machines and templates whose
// annotation starts with prefix (all for "").
func (c *Client) VMs(ctx context.Context, prefix string) ([]VM, error) {
	m := view.NewManager(c.vim)
	v, err := m.CreateContainerView(ctx, c.dc.Reference(), []string{"VirtualMachine"}, true)
	if err != nil {
		return nil, wrap("list virtual machines", err)
	}
	defer v.Destroy(context.WithoutCancel(ctx))
	var vms []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"name", "config.annotation", "config.template", "runtime.powerState"}, &vms); err != nil {
		return nil, wrap("list virtual machines", err)
	}
	var out []VM
	for _, vm := range vms {
		var annotation string
		var template bool
		if vm.Config != nil {
			annotation, template = vm.Config.Annotation, vm.Config.Template
		}
		if !strings.HasPrefix(annotation, prefix) {
			continue
		}
		out = append(out, VM{Ref: vm.Reference(), Name: vm.Name, Annotation: annotation, PowerState: string(vm.Runtime.PowerState), Template: template})
	}
	return out, nil
}

// SetAnnotation changes a VM's annotation (its notes).
func (c *Client) SetAnnotation(ctx context.Context, ref types.ManagedObjectReference, annotation string) error {
	task, err := object.NewVirtualMachine(c.vim, ref).Reconfigure(ctx, types.VirtualMachineConfigSpec{Annotation: annotation})
	if err == nil {
		_, err = task.WaitForResult(ctx, nil)
	}
	return wrap("annotate "+ref.Value, err)
}

// Annotation reads one VM's annotation.
func (c *Client) Annotation(ctx context.Context, ref types.ManagedObjectReference) (string, error) {
	var vm mo.VirtualMachine
	err := property.DefaultCollector(c.vim).RetrieveOne(ctx, ref, []string{"config.annotation"}, &vm)
	if err != nil || vm.Config == nil {
		return "", wrap("read "+ref.Value, err)
	}
	return vm.Config.Annotation, nil
}

// ReadDatastoreFile reads a file of the options' datastore (at most max
// bytes, the last ones).
func (c *Client) ReadDatastoreFile(ctx context.Context, path string, max int64) (string, error) {
	ds, err := c.find.DatastoreOrDefault(ctx, c.opts.Datastore)
	if err != nil {
		return "", &Error{Op: "datastore " + quoteOrDefault(c.opts.Datastore), Fault: "NotFound", Message: err.Error(), err: err}
	}
	r, n, err := ds.Download(ctx, path, &soap.DefaultDownload)
	if err != nil {
		return "", wrap(fmt.Sprintf("read [%s] %s", ds.Name(), path), err)
	}
	defer r.Close()
	if n > max {
		if _, err := io.CopyN(io.Discard, r, n-max); err != nil {
			return "", err
		}
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

// WriteDatastoreFile writes a file of the options' datastore.
func (c *Client) WriteDatastoreFile(ctx context.Context, path string, body io.Reader, size int64) error {
	ds, err := c.find.DatastoreOrDefault(ctx, c.opts.Datastore)
	if err != nil {
		return err
	}
	p := soap.DefaultUpload
	p.ContentLength = size
	return wrap(fmt.Sprintf("write [%s] %s", ds.Name(), path), ds.Upload(ctx, body, path, &p))
}

// Simulated says whether the server is strata's vCenter simulator
// (govmomi's vcsim with strata's custom field defined): its machines run
// but never boot.
func (c *Client) Simulated(ctx context.Context) bool {
	m, err := object.GetCustomFieldsManager(c.vim)
	if err != nil {
		return false
	}
	_, err = m.FindKey(ctx, SimulatorField)
	return err == nil
}

// SimulatorField is the custom field strata's simulator defines.
const SimulatorField = "strata-simulator"

// CheckTemplate finds the VM or template to clone.
func (c *Client) CheckTemplate(ctx context.Context, name string) error {
	if _, err := c.find.VirtualMachine(ctx, name); err != nil {
		return &Error{Op: "find " + name, Fault: "NotFound", Message: err.Error(), err: err}
	}
	return nil
}
