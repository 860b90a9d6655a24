package initrdbus

import (
	"context"
	"fmt"
	"strings"

	"github.com/godbus/dbus/v5"
)

// D-Bus error names this server answers with.
const (
	errUnknownMethod   = "org.freedesktop.DBus.Error.UnknownMethod"
	errUnknownProperty = "org.freedesktop.DBus.Error.UnknownProperty"
	errInvalidArgs     = "org.freedesktop.DBus.Error.InvalidArgs"
	errNoSuchUnit      = "org.freedesktop.systemd1.NoSuchUnit"
)

// call answers one method call on c.
func (s *Server) call(ctx context.Context, c *conn, msg *dbus.Message) error {
	iface, member := header(msg, dbus.FieldInterface), header(msg, dbus.FieldMember)
	s.logger().Debug("call", "interface", iface, "member", member, "path", header(msg, dbus.FieldPath))
	var reply *dbus.Message
	var then func()
	switch {
	case member == "Hello" && (iface == busInterface || iface == ""):
		// A client that thinks it talks to a bus asks for its name
		// first; systemd's private socket has none to give, but a
		// name costs nothing and lets such clients (dbus-send) on.
		reply = methodReturn(msg, fmt.Sprintf(":1.%d", c.id))
	case (member == "AddMatch" || member == "RemoveMatch") && iface == busInterface,
		(member == "Subscribe" || member == "Unsubscribe") && iface == managerInterface,
		member == "Ping" && iface == peerInterface:
		// Signals go to every client anyway, as on systemd's private
		// socket, so matches and subscriptions change nothing.
		reply = methodReturn(msg)
	case member == "Get" && iface == propsInterface:
		reply = s.getProperty(msg)
	case member == "StartUnit" && (iface == managerInterface || iface == ""):
		reply, then = s.startUnit(ctx, msg)
	default:
		reply = methodError(msg, errUnknownMethod,
			"strata-initrd-bus stands in for systemd in the initramfs for Ignition's disks stage and has no method %s.%s", iface, member)
	}
	if msg.Flags&dbus.FlagNoReplyExpected == 0 {
		if err := c.send(reply); err != nil {
			return err
		}
	}
	if then != nil {
		then()
	}
	return nil
}

// getProperty answers Properties.Get: the manager's Version only.
func (s *Server) getProperty(msg *dbus.Message) *dbus.Message {
	var iface, prop string
	if err := dbus.Store(msg.Body, &iface, &prop); err != nil {
		return methodError(msg, errInvalidArgs, "Get takes an interface and a property name: %v", err)
	}
	if header(msg, dbus.FieldPath) == string(managerPath) && iface == managerInterface && prop == "Version" {
		return methodReturn(msg, dbus.MakeVariant(s.Version))
	}
	return methodError(msg, errUnknownProperty, "strata-initrd-bus has no property %s.%s on %s", iface, prop, header(msg, dbus.FieldPath))
}

// startUnit answers StartUnit(name, mode) for a device unit with the
// path of a new job, and returns what starts the job once the reply is
// sent: a client learns the job's path from the reply, so its end must
// not be signalled before.
func (s *Server) startUnit(ctx context.Context, msg *dbus.Message) (*dbus.Message, func()) {
	var unit, mode string
	if err := dbus.Store(msg.Body, &unit, &mode); err != nil {
		return methodError(msg, errInvalidArgs, "StartUnit takes a unit name and a mode: %v", err), nil
	}
	dev, err := devicePath(unit)
	if err != nil {
		return methodError(msg, errNoSuchUnit, "%v", err), nil
	}
	s.mu.Lock()
	s.lastID++
	id := s.lastID
	s.mu.Unlock()
	job := dbus.ObjectPath(fmt.Sprintf("%s%d", jobPathPrefix, id))
	s.logger().Info("waiting for device", "unit", unit, "device", dev, "job", id)
	s.jobs.Add(1)
	return methodReturn(msg, job), func() {
		go func() {
			defer s.jobs.Done()
			result := s.waitDevice(ctx, dev)
			s.logger().Info("device job ended", "unit", unit, "device", dev, "result", result)
			s.broadcast(jobRemoved(id, job, unit, result))
		}()
	}
}

// isDeviceUnit reports whether name names a device unit.
func isDeviceUnit(name string) bool { return strings.HasSuffix(name, ".device") }
