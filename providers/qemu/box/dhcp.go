package box

import (
	"net"
	"sync"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/strata-os/strata/providers/qemu/vm"
)

// dhcpServer gives each instance on a private network the private
// address its cloud reports, by its card's MAC, as a VPC's DHCP does: the
// guest's second card asks on the hub and gets the address, the network's
// mask, and no gateway (the first card, QEMU's user network, keeps the
// default route, the metadata address and SSH).
type dhcpServer struct {
	hub *vm.Hub

	mu     sync.Mutex
	leases map[string]lease // by MAC
}

type lease struct {
	ip   net.IP
	mask net.IPMask
}

// serverMAC and serverIP are the DHCP server's on every network: an
// address no instance is given (the cloud's router, x.x.x.1, is one).
var serverMAC = net.HardwareAddr{0x52, 0x54, 0x00, 0xdc, 0x00, 0x01}

// leaseSeconds is long: a test machine never renews.
const leaseSeconds = 86400

func newDHCPServer(h *vm.Hub) *dhcpServer {
	d := &dhcpServer{hub: h, leases: map[string]lease{}}
	h.Tap(d.frame)
	return d
}

func (d *dhcpServer) add(mac string, ip net.IP, mask net.IPMask) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.leases[mac] = lease{ip.To4(), mask}
}

func (d *dhcpServer) remove(mac string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.leases, mac)
}

// frame answers a DHCP DISCOVER with an OFFER and a REQUEST with an ACK
// (or a NAK, for an address that is not the instance's).
func (d *dhcpServer) frame(f []byte) {
	p := gopacket.NewPacket(f, layers.LayerTypeEthernet, gopacket.DecodeOptions{Lazy: true, NoCopy: true})
	req, ok := p.Layer(layers.LayerTypeDHCPv4).(*layers.DHCPv4)
	if !ok || req.Operation != layers.DHCPOpRequest {
		return
	}
	var msgType layers.DHCPMsgType
	var asked net.IP
	for _, o := range req.Options {
		switch o.Type {
		case layers.DHCPOptMessageType:
			if len(o.Data) == 1 {
				msgType = layers.DHCPMsgType(o.Data[0])
			}
		case layers.DHCPOptRequestIP:
			asked = net.IP(o.Data)
		}
	}
	d.mu.Lock()
	l, ok := d.leases[req.ClientHWAddr.String()]
	d.mu.Unlock()
	if !ok {
		return // not an instance of the box's
	}
	answer := layers.DHCPMsgTypeOffer
	switch msgType {
	case layers.DHCPMsgTypeDiscover:
	case layers.DHCPMsgTypeRequest:
		answer = layers.DHCPMsgTypeAck
		if asked == nil {
			asked = req.ClientIP
		}
		if asked != nil && !asked.Equal(l.ip) {
			answer = layers.DHCPMsgTypeNak
		}
	default:
		return
	}
	server := serverIP(l)
	reply := &layers.DHCPv4{
		Operation: layers.DHCPOpReply, HardwareType: layers.LinkTypeEthernet, HardwareLen: 6,
		Xid: req.Xid, Flags: req.Flags, ClientHWAddr: req.ClientHWAddr,
		ClientIP: net.IPv4zero, YourClientIP: l.ip, NextServerIP: net.IPv4zero, RelayAgentIP: net.IPv4zero,
		Options: layers.DHCPOptions{
			layers.NewDHCPOption(layers.DHCPOptMessageType, []byte{byte(answer)}),
			layers.NewDHCPOption(layers.DHCPOptServerID, server),
		},
	}
	if answer == layers.DHCPMsgTypeNak {
		reply.YourClientIP = net.IPv4zero
	} else {
		reply.Options = append(reply.Options,
			layers.NewDHCPOption(layers.DHCPOptLeaseTime, u32(leaseSeconds)),
			layers.NewDHCPOption(layers.DHCPOptSubnetMask, l.mask),
		)
	}
	reply.Options = append(reply.Options, layers.NewDHCPOption(layers.DHCPOptEnd, nil))
	eth := &layers.Ethernet{SrcMAC: serverMAC, DstMAC: layers.EthernetBroadcast, EthernetType: layers.EthernetTypeIPv4}
	ip := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolUDP, SrcIP: server, DstIP: net.IPv4bcast}
	udp := &layers.UDP{SrcPort: 67, DstPort: 68}
	_ = udp.SetNetworkLayerForChecksum(ip)
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, eth, ip, udp, reply); err != nil {
		return
	}
	d.hub.Inject(buf.Bytes())
}

// serverIP is the network's first address (x.x.x.1 of a /24 or larger).
func serverIP(l lease) net.IP {
	ip := l.ip.Mask(l.mask).To4()
	out := net.IPv4(ip[0], ip[1], ip[2], ip[3]+1).To4()
	return out
}

func u32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }
