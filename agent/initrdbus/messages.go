package initrdbus

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"sync"

	"github.com/godbus/dbus/v5"
)

// conn is one authenticated client. Replies and signals may be sent
// from several goroutines (a job's end is broadcast from its own).
type conn struct {
	id     uint64
	nc     net.Conn
	mu     sync.Mutex
	serial uint32
}

// send writes msg with the connection's next serial. godbus encodes a
// message but keeps its serial to itself, so the serial is set in the
// encoded header: a little-endian uint32 at byte 8 (D-Bus
// specification, "Message Format").
func (c *conn) send(msg *dbus.Message) error {
	var b bytes.Buffer
	if err := msg.EncodeTo(&b, binary.LittleEndian); err != nil {
		return fmt.Errorf("encode %s: %w", msg.Type, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.serial++
	binary.LittleEndian.PutUint32(b.Bytes()[8:12], c.serial)
	if _, err := c.nc.Write(b.Bytes()); err != nil {
		return fmt.Errorf("send %s: %w", msg.Type, err)
	}
	return nil
}

// methodReturn answers call with body.
func methodReturn(call *dbus.Message, body ...any) *dbus.Message {
	msg := &dbus.Message{
		Type:    dbus.TypeMethodReply,
		Flags:   dbus.FlagNoReplyExpected,
		Headers: map[dbus.HeaderField]dbus.Variant{dbus.FieldReplySerial: dbus.MakeVariant(call.Serial())},
		Body:    body,
	}
	if len(body) > 0 {
		msg.Headers[dbus.FieldSignature] = dbus.MakeVariant(dbus.SignatureOf(body...))
	}
	return msg
}

// methodError answers call with the D-Bus error name and a message.
func methodError(call *dbus.Message, name, format string, args ...any) *dbus.Message {
	return &dbus.Message{
		Type:  dbus.TypeError,
		Flags: dbus.FlagNoReplyExpected,
		Headers: map[dbus.HeaderField]dbus.Variant{
			dbus.FieldReplySerial: dbus.MakeVariant(call.Serial()),
			dbus.FieldErrorName:   dbus.MakeVariant(name),
			dbus.FieldSignature:   dbus.MakeVariant(dbus.SignatureOf("")),
		},
		Body: []any{fmt.Sprintf(format, args...)},
	}
}

// jobRemoved is systemd's signal that a job ended, with its result
// ("done", "timeout", "canceled", ...).
func jobRemoved(id uint32, job dbus.ObjectPath, unit, result string) *dbus.Message {
	body := []any{id, job, unit, result}
	return &dbus.Message{
		Type:  dbus.TypeSignal,
		Flags: dbus.FlagNoReplyExpected,
		Headers: map[dbus.HeaderField]dbus.Variant{
			dbus.FieldPath:      dbus.MakeVariant(managerPath),
			dbus.FieldInterface: dbus.MakeVariant(managerInterface),
			dbus.FieldMember:    dbus.MakeVariant("JobRemoved"),
			dbus.FieldSignature: dbus.MakeVariant(dbus.SignatureOf(body...)),
		},
		Body: body,
	}
}

// header is a string header field of msg, "" when absent.
func header(msg *dbus.Message, f dbus.HeaderField) string {
	v, ok := msg.Headers[f]
	if !ok {
		return ""
	}
	switch x := v.Value().(type) {
	case string:
		return x
	case dbus.ObjectPath:
		return string(x)
	}
	return ""
}
