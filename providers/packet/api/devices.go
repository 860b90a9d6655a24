package api

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/packethost/packngo"
)

// UserDataMax is the API's limit on userdata.
const UserDataMax = 64 << 10

// DeviceSpec is a device to make.
type DeviceSpec struct {
	Hostname, Plan, Metro, OS string
	IPXEScriptURL             string
	AlwaysPXE                 bool
	UserData                  string
	Tags                      []string
	// Own is a tag in Tags no other device has, by which a create whose
	// answer was lost is found.
	Own     string
	SSHKeys []string // project key IDs
}

// Device is what strata reads of a device.
type Device struct {
	ID, Hostname, State string
	Tags                []string
	Created             time.Time
	PublicIP, PrivateIP string
	// SOS is the host (or host:port) of its serial-over-SSH console.
	SOS string
	// Simulated says strata's simulator made it: it runs but never boots.
	Simulated bool
}

func device(d *packngo.Device) Device {
	out := Device{ID: d.ID, Hostname: d.Hostname, State: d.State, Tags: d.Tags, SOS: d.SOS}
	out.Simulated, _ = d.CustomData["strata_simulated"].(bool)
	out.Created, _ = time.Parse(time.RFC3339, d.Created)
	for _, ip := range d.Network {
		if ip == nil || ip.AddressFamily != 4 {
			continue
		}
		switch {
		case ip.Public && out.PublicIP == "":
			out.PublicIP = ip.Address
		case !ip.Public && out.PrivateIP == "":
			out.PrivateIP = ip.Address
		}
	}
	return out
}

// CreateDevice makes a device. The create is sent once at a time: after a
// failure whose effect is unknown it looks for the device by its own
// tag, and only then sends it again.
func (c *Client) CreateDevice(ctx context.Context, s DeviceSpec) (Device, error) {
	if s.Own == "" || !slices.Contains(s.Tags, s.Own) {
		return Device{}, fmt.Errorf("create device %s: no tag of its own to find it by", s.Hostname)
	}
	req := &packngo.DeviceCreateRequest{Hostname: s.Hostname, Plan: s.Plan, Metro: s.Metro, OS: s.OS, ProjectID: c.opts.Project,
		UserData: s.UserData, Tags: s.Tags, IPXEScriptURL: s.IPXEScriptURL, AlwaysPXE: s.AlwaysPXE, ProjectSSHKeys: s.SSHKeys, BillingCycle: "hourly"}
	op := "create device " + s.Hostname
	for n := 0; ; n++ {
		d, _, err := c.sdk(ctx, false).Devices.Create(req)
		if err == nil {
			return device(d), nil
		}
		err = wrap(op, err)
		if IsTerminal(err) || ctx.Err() != nil {
			return Device{}, err
		}
		if found, ferr := c.Devices(ctx, s.Own); ferr == nil && len(found) > 0 {
			return found[0], nil
		}
		if n >= c.opts.MaxRetries {
			return Device{}, err
		}
		if werr := c.wait(ctx, n, 0); werr != nil {
			return Device{}, fmt.Errorf("%w (%v)", err, werr)
		}
	}
}

// Device reads a device.
func (c *Client) Device(ctx context.Context, id string) (Device, error) {
	d, _, err := c.sdk(ctx, true).Devices.Get(id, nil)
	if err != nil {
		return Device{}, wrap("read device "+id, err)
	}
	return device(d), nil
}

// Devices lists the project's devices with a tag (all when tag is "").
func (c *Client) Devices(ctx context.Context, tag string) ([]Device, error) {
	opts := &packngo.ListOptions{PerPage: 100}
	if tag != "" {
		opts = opts.Filter("tag", tag)
	}
	ds, _, err := c.sdk(ctx, true).Devices.List(c.opts.Project, opts)
	if err != nil {
		return nil, wrap("list devices", err)
	}
	out := make([]Device, 0, len(ds))
	for i := range ds {
		if tag == "" || slices.Contains(ds[i].Tags, tag) {
			out = append(out, device(&ds[i]))
		}
	}
	return out, nil
}

// SetDeviceTags replaces a device's tags.
func (c *Client) SetDeviceTags(ctx context.Context, id string, tags []string) error {
	_, _, err := c.sdk(ctx, true).Devices.Update(id, &packngo.DeviceUpdateRequest{Tags: &tags})
	return wrap("tag device "+id, err)
}

// DeleteDevice deletes a device; one that is not there is no error.
func (c *Client) DeleteDevice(ctx context.Context, id string) error {
	_, err := c.sdk(ctx, true).Devices.Delete(id, true)
	if err = wrap("delete device "+id, err); IsNotFound(err) {
		return nil
	}
	return err
}

// DeleteDevicesWith deletes every device of the project with a tag.
func (c *Client) DeleteDevicesWith(ctx context.Context, tag string) error {
	ds, err := c.Devices(ctx, tag)
	if err != nil {
		return err
	}
	var errs []error
	for _, d := range ds {
		if err := c.DeleteDevice(ctx, d.ID); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("delete devices tagged %s: %w", tag, errors.Join(errs...))
	}
	return nil
}

// Key is a project SSH key.
type Key struct {
	ID, Label string
	Created   time.Time
}

// CreateKey adds a public key to the project. A create whose answer was
// lost is found by its label (and key).
func (c *Client) CreateKey(ctx context.Context, label, publicKey string) (Key, error) {
	op := "add SSH key " + label
	for n := 0; ; n++ {
		k, _, err := c.sdk(ctx, false).SSHKeys.Create(&packngo.SSHKeyCreateRequest{Label: label, Key: publicKey, ProjectID: c.opts.Project})
		if err == nil {
			return keyOf(*k), nil
		}
		err = wrap(op, err)
		if ctx.Err() != nil {
			return Key{}, err
		}
		// A lost answer: the key is there (a second create is refused as
		// a duplicate fingerprint).
		if ks, _, kerr := c.sdk(ctx, true).SSHKeys.ProjectList(c.opts.Project); kerr == nil {
			for _, k := range ks {
				if k.Label == label && k.Key == publicKey {
					return keyOf(k), nil
				}
			}
		}
		if IsTerminal(err) || n >= c.opts.MaxRetries {
			return Key{}, err
		}
		if werr := c.wait(ctx, n, 0); werr != nil {
			return Key{}, fmt.Errorf("%w (%v)", err, werr)
		}
	}
}

func keyOf(k packngo.SSHKey) Key {
	created, _ := time.Parse(time.RFC3339, k.Created)
	return Key{ID: k.ID, Label: k.Label, Created: created}
}

// Keys lists the project's SSH keys.
func (c *Client) Keys(ctx context.Context) ([]Key, error) {
	ks, _, err := c.sdk(ctx, true).SSHKeys.ProjectList(c.opts.Project)
	if err != nil {
		return nil, wrap("list SSH keys", err)
	}
	out := make([]Key, 0, len(ks))
	for _, k := range ks {
		out = append(out, keyOf(k))
	}
	return out, nil
}

// DeleteKey deletes an SSH key; one that is not there is no error.
func (c *Client) DeleteKey(ctx context.Context, id string) error {
	_, err := c.sdk(ctx, true).SSHKeys.Delete(id)
	if err = wrap("delete SSH key "+id, err); IsNotFound(err) {
		return nil
	}
	return err
}
