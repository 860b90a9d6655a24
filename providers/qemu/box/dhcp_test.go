package box

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/strata-os/strata/providers/qemu/vm"
)

// port is a machine's card on a hub, as QEMU's stream netdev is one.
type port struct {
	t *testing.T
	c net.Conn
}

func (p port) send(frame []byte) {
	msg := make([]byte, 4+len(frame))
	binary.BigEndian.PutUint32(msg, uint32(len(frame)))
	copy(msg[4:], frame)
	if _, err := p.c.Write(msg); err != nil {
		p.t.Fatal(err)
	}
}

// dhcpReply reads frames until a DHCP reply for xid, or nil at the
// deadline.
func (p port) dhcpReply(xid uint32, wait time.Duration) *layers.DHCPv4 {
	_ = p.c.SetReadDeadline(time.Now().Add(wait))
	for {
		var n [4]byte
		if _, err := io.ReadFull(p.c, n[:]); err != nil {
			return nil
		}
		f := make([]byte, binary.BigEndian.Uint32(n[:]))
		if _, err := io.ReadFull(p.c, f); err != nil {
			return nil
		}
		pkt := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.Default)
		if d, ok := pkt.Layer(layers.LayerTypeDHCPv4).(*layers.DHCPv4); ok && d.Operation == layers.DHCPOpReply && d.Xid == xid {
			return d
		}
	}
}

func dhcpRequest(t *testing.T, mac net.HardwareAddr, xid uint32, typ layers.DHCPMsgType, asked net.IP) []byte {
	t.Helper()
	d := &layers.DHCPv4{Operation: layers.DHCPOpRequest, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6, Xid: xid,
		ClientHWAddr: mac, ClientIP: net.IPv4zero, YourClientIP: net.IPv4zero, NextServerIP: net.IPv4zero, RelayAgentIP: net.IPv4zero,
		Options: layers.DHCPOptions{layers.NewDHCPOption(layers.DHCPOptMessageType, []byte{byte(typ)})}}
	if asked != nil {
		d.Options = append(d.Options, layers.NewDHCPOption(layers.DHCPOptRequestIP, asked.To4()))
	}
	d.Options = append(d.Options, layers.NewDHCPOption(layers.DHCPOptEnd, nil))
	eth := &layers.Ethernet{SrcMAC: mac, DstMAC: layers.EthernetBroadcast, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: net.IPv4zero, DstIP: net.IPv4bcast}
	udp := &layers.UDP{SrcPort: 68, DstPort: 67}
	_ = udp.SetNetworkLayerForChecksum(ip)
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, udp, d); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func msgType(d *layers.DHCPv4) layers.DHCPMsgType {
	for _, o := range d.Options {
		if o.Type == layers.DHCPOptMessageType && len(o.Data) == 1 {
			return layers.DHCPMsgType(o.Data[0])
		}
	}
	return 0
}

// The private network's DHCP gives each instance its cloud's address,
// by its card's MAC, and nothing to a card it does not know.
func TestDHCP(t *testing.T) {
	h, err := vm.NewHub(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	d := newDHCPServer(h)
	mac, _ := net.ParseMAC(macFor("i-0123"))
	d.add(mac.String(), net.ParseIP("10.0.3.7"), net.CIDRMask(16, 32))
	c, err := net.Dial("unix", h.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := port{t, c}

	p.send(dhcpRequest(t, mac, 1, layers.DHCPMsgTypeDiscover, nil))
	offer := p.dhcpReply(1, 5*time.Second)
	if offer == nil || msgType(offer) != layers.DHCPMsgTypeOffer || !offer.YourClientIP.Equal(net.ParseIP("10.0.3.7")) {
		t.Fatalf("offer: %+v", offer)
	}
	var mask net.IPMask
	for _, o := range offer.Options {
		if o.Type == layers.DHCPOptSubnetMask {
			mask = net.IPMask(o.Data)
		}
		if o.Type == layers.DHCPOptRouter {
			t.Errorf("the offer names a router: the private card must not take the default route")
		}
	}
	if ones, _ := mask.Size(); ones != 16 {
		t.Errorf("mask %v, want /16", mask)
	}
	p.send(dhcpRequest(t, mac, 2, layers.DHCPMsgTypeRequest, net.ParseIP("10.0.3.7")))
	if ack := p.dhcpReply(2, 5*time.Second); ack == nil || msgType(ack) != layers.DHCPMsgTypeAck {
		t.Errorf("ack: %+v", ack)
	}
	p.send(dhcpRequest(t, mac, 3, layers.DHCPMsgTypeRequest, net.ParseIP("10.0.3.99")))
	if nak := p.dhcpReply(3, 5*time.Second); nak == nil || msgType(nak) != layers.DHCPMsgTypeNak {
		t.Errorf("a request for another address: %+v, want a NAK", nak)
	}
	other, _ := net.ParseMAC("52:54:00:aa:bb:cc")
	p.send(dhcpRequest(t, other, 4, layers.DHCPMsgTypeDiscover, nil))
	if r := p.dhcpReply(4, 300*time.Millisecond); r != nil {
		t.Errorf("a card the box does not know got %+v", r)
	}
	d.remove(mac.String())
	p.send(dhcpRequest(t, mac, 5, layers.DHCPMsgTypeDiscover, nil))
	if r := p.dhcpReply(5, 300*time.Millisecond); r != nil {
		t.Errorf("a stopped instance's card got %+v", r)
	}
}
