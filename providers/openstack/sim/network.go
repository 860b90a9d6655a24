package sim

import (
	"fmt"
	"net/http"
	"slices"
	"time"
)

// Network is a Neutron network with one IPv4 subnet.
type Network struct {
	ID, Name, SubnetID string
	prefix             string // the subnet's first three octets
	External           bool
	next               int // the next host number to give
}

// Port is a Neutron port: a network address a server binds.
type Port struct {
	ID, Name, Description string
	NetworkID             string
	IP, MAC               string
	SecurityGroups        []string
	DeviceID, DeviceOwner string
	Status                string
	Created               time.Time
	novaMade              bool // made by Nova for a server, deleted with it
}

// SecurityGroup is a Neutron security group and its rules.
type SecurityGroup struct {
	ID, Name, Description string
	Rules                 []map[string]any
	Created               time.Time
}

// FloatingIP is a Neutron floating IP of an external network.
type FloatingIP struct {
	ID, Address, Description string
	NetworkID, PortID        string
	Created                  time.Time
}

func (s *Server) addNetwork(name, prefix string, external bool) *Network {
	n := &Network{ID: s.newID(), Name: name, SubnetID: s.newID(), prefix: prefix, External: external, next: 10}
	s.networks[n.ID] = n
	return n
}

func (n *Network) json() map[string]any {
	return map[string]any{"id": n.ID, "name": n.Name, "status": "ACTIVE", "admin_state_up": true, "shared": false, "router:external": n.External,
		"subnets": []string{n.SubnetID}, "tenant_id": ProjectID, "project_id": ProjectID, "mtu": 1450, "tags": []string{}}
}

func (s *Server) listNetworks(r *http.Request, _ []byte) (answer, *apiError) {
	var items []map[string]any
	for _, n := range s.networks {
		items = append(items, n.json())
	}
	items = filter(r, items, "name", "id", "router:external")
	page, next, err := s.page(r, items)
	if err != nil {
		return answer{}, err
	}
	return answer{status: http.StatusOK, body: map[string]any{"networks": page, "networks_links": s.links(next)}}, nil
}

func (s *Server) getNetwork(r *http.Request, _ []byte) (answer, *apiError) {
	n := s.networks[r.PathValue("id")]
	if n == nil {
		return answer{}, &apiError{status: http.StatusNotFound, kind: "NetworkNotFound", message: fmt.Sprintf("Network %s could not be found.", r.PathValue("id"))}
	}
	return answer{status: http.StatusOK, body: map[string]any{"network": n.json()}}, nil
}

// newPort makes a port on a network with the next address of its subnet
// (not yet registered).
func (s *Server) newPort(n *Network, name, description string) *Port {
	host := n.next
	n.next++
	return &Port{ID: s.newID(), Name: name, Description: description, NetworkID: n.ID, Status: "DOWN", Created: s.opts.Now(),
		IP: fmt.Sprintf("%s.%d", n.prefix, host%250+2), MAC: fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", host>>16&0xff, host>>8&0xff, host&0xff)}
}

func (s *Server) portJSON(p *Port) map[string]any {
	n := s.networks[p.NetworkID]
	sgs := p.SecurityGroups
	if sgs == nil {
		sgs = []string{}
	}
	return map[string]any{"id": p.ID, "name": p.Name, "description": p.Description, "network_id": p.NetworkID, "admin_state_up": true,
		"status": p.Status, "mac_address": p.MAC, "fixed_ips": []any{map[string]any{"subnet_id": n.SubnetID, "ip_address": p.IP}},
		"device_id": p.DeviceID, "device_owner": p.DeviceOwner, "security_groups": sgs, "tenant_id": ProjectID, "project_id": ProjectID,
		"created_at": timestamp(p.Created), "updated_at": timestamp(p.Created), "tags": []string{}, "port_security_enabled": true}
}

func (s *Server) createPort(_ *http.Request, body []byte) (answer, *apiError) {
	var req struct {
		Port struct {
			NetworkID      string    `json:"network_id"`
			Name           string    `json:"name"`
			Description    string    `json:"description"`
			SecurityGroups *[]string `json:"security_groups"`
		} `json:"port"`
	}
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	n := s.networks[req.Port.NetworkID]
	if n == nil {
		return answer{}, &apiError{status: http.StatusNotFound, kind: "NetworkNotFound", message: fmt.Sprintf("Network %s could not be found.", req.Port.NetworkID)}
	}
	if len(req.Port.Description) > 255 {
		return answer{}, badRequest("Invalid input for description. Reason: '%s' exceeds maximum length of 255.", req.Port.Description)
	}
	p := s.newPort(n, req.Port.Name, req.Port.Description)
	if req.Port.SecurityGroups != nil {
		for _, id := range *req.Port.SecurityGroups {
			if s.groups[id] == nil {
				return answer{}, &apiError{status: http.StatusNotFound, kind: "SecurityGroupNotFound", message: fmt.Sprintf("Security group %s does not exist", id)}
			}
		}
		p.SecurityGroups = slices.Clone(*req.Port.SecurityGroups)
	}
	s.ports[p.ID] = p
	return answer{status: http.StatusCreated, body: map[string]any{"port": s.portJSON(p)}}, nil
}

func (s *Server) listPorts(r *http.Request, _ []byte) (answer, *apiError) {
	var items []map[string]any
	for _, p := range s.ports {
		items = append(items, s.portJSON(p))
	}
	items = filter(r, items, "name", "description", "device_id", "network_id")
	page, next, err := s.page(r, items)
	if err != nil {
		return answer{}, err
	}
	return answer{status: http.StatusOK, body: map[string]any{"ports": page, "ports_links": s.links(next)}}, nil
}

func (s *Server) deletePort(r *http.Request, _ []byte) (answer, *apiError) {
	p := s.ports[r.PathValue("id")]
	if p == nil {
		return answer{}, &apiError{status: http.StatusNotFound, kind: "PortNotFound", message: fmt.Sprintf("Port %s could not be found.", r.PathValue("id"))}
	}
	// Neutron deletes a port a server still has; the server loses the
	// interface.
	if in := s.servers[p.DeviceID]; in != nil {
		in.Ports = slices.DeleteFunc(in.Ports, func(q *Port) bool { return q == p })
	}
	s.deletePortLocked(p)
	return answer{status: http.StatusNoContent}, nil
}

// deletePortLocked deletes a port and lets go of its floating IPs.
func (s *Server) deletePortLocked(p *Port) {
	for _, f := range s.floatingIP {
		if f.PortID == p.ID {
			f.PortID = ""
		}
	}
	delete(s.ports, p.ID)
}

func (s *Server) groupJSON(g *SecurityGroup) map[string]any {
	return map[string]any{"id": g.ID, "name": g.Name, "description": g.Description, "security_group_rules": g.Rules, "tenant_id": ProjectID,
		"project_id": ProjectID, "created_at": timestamp(g.Created), "updated_at": timestamp(g.Created), "tags": []string{}, "stateful": true}
}

func (s *Server) createGroup(_ *http.Request, body []byte) (answer, *apiError) {
	var req struct {
		Group struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"security_group"`
	}
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	if req.Group.Name == "default" {
		return answer{}, &apiError{status: http.StatusConflict, kind: "SecurityGroupDefaultAlreadyExists", message: "Default security group already exists."}
	}
	g := &SecurityGroup{ID: s.newID(), Name: req.Group.Name, Description: req.Group.Description, Created: s.opts.Now()}
	for _, eth := range []string{"IPv4", "IPv6"} {
		g.Rules = append(g.Rules, map[string]any{"id": s.newID(), "security_group_id": g.ID, "direction": "egress", "ethertype": eth,
			"protocol": nil, "port_range_min": nil, "port_range_max": nil, "remote_ip_prefix": nil, "remote_group_id": nil, "tenant_id": ProjectID, "project_id": ProjectID})
	}
	s.groups[g.ID] = g
	return answer{status: http.StatusCreated, body: map[string]any{"security_group": s.groupJSON(g)}}, nil
}

func (s *Server) listGroups(r *http.Request, _ []byte) (answer, *apiError) {
	var items []map[string]any
	for _, g := range s.groups {
		items = append(items, s.groupJSON(g))
	}
	items = filter(r, items, "name", "description")
	page, next, err := s.page(r, items)
	if err != nil {
		return answer{}, err
	}
	return answer{status: http.StatusOK, body: map[string]any{"security_groups": page, "security_groups_links": s.links(next)}}, nil
}

func (s *Server) deleteGroup(r *http.Request, _ []byte) (answer, *apiError) {
	g := s.groups[r.PathValue("id")]
	if g == nil {
		return answer{}, &apiError{status: http.StatusNotFound, kind: "SecurityGroupNotFound", message: fmt.Sprintf("Security group %s does not exist", r.PathValue("id"))}
	}
	for _, p := range s.ports {
		if slices.Contains(p.SecurityGroups, g.ID) {
			return answer{}, &apiError{status: http.StatusConflict, kind: "SecurityGroupInUse", message: fmt.Sprintf("Security Group %s in use.", g.ID)}
		}
	}
	delete(s.groups, g.ID)
	return answer{status: http.StatusNoContent}, nil
}

func (s *Server) createRule(_ *http.Request, body []byte) (answer, *apiError) {
	var req struct {
		Rule map[string]any `json:"security_group_rule"`
	}
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	g := s.groups[fmt.Sprint(req.Rule["security_group_id"])]
	if g == nil {
		return answer{}, &apiError{status: http.StatusNotFound, kind: "SecurityGroupNotFound", message: fmt.Sprintf("Security group %v does not exist", req.Rule["security_group_id"])}
	}
	if d := req.Rule["direction"]; d != "ingress" && d != "egress" {
		return answer{}, badRequest("Invalid input for direction. Reason: %v is not in valid_values.", d)
	}
	rule := map[string]any{"id": s.newID(), "tenant_id": ProjectID, "project_id": ProjectID}
	for _, k := range []string{"security_group_id", "direction", "ethertype", "protocol", "port_range_min", "port_range_max", "remote_ip_prefix", "remote_group_id", "description"} {
		rule[k] = req.Rule[k]
	}
	g.Rules = append(g.Rules, rule)
	return answer{status: http.StatusCreated, body: map[string]any{"security_group_rule": rule}}, nil
}

func (s *Server) fipJSON(f *FloatingIP) map[string]any {
	var port, fixed any
	if p := s.ports[f.PortID]; p != nil {
		port, fixed = p.ID, p.IP
	}
	status := "DOWN"
	if port != nil {
		status = "ACTIVE"
	}
	return map[string]any{"id": f.ID, "floating_ip_address": f.Address, "floating_network_id": f.NetworkID, "port_id": port, "fixed_ip_address": fixed,
		"description": f.Description, "status": status, "router_id": nil, "tenant_id": ProjectID, "project_id": ProjectID,
		"created_at": timestamp(f.Created), "updated_at": timestamp(f.Created), "tags": []string{}}
}

func (s *Server) createFloatingIP(_ *http.Request, body []byte) (answer, *apiError) {
	var req struct {
		FIP struct {
			NetworkID   string `json:"floating_network_id"`
			PortID      string `json:"port_id"`
			Description string `json:"description"`
		} `json:"floatingip"`
	}
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	n := s.networks[req.FIP.NetworkID]
	switch {
	case n == nil:
		return answer{}, &apiError{status: http.StatusNotFound, kind: "NetworkNotFound", message: fmt.Sprintf("Network %s could not be found.", req.FIP.NetworkID)}
	case !n.External:
		return answer{}, &apiError{status: http.StatusBadRequest, kind: "BadRequest", message: fmt.Sprintf("Bad floatingip request: Network %s is not a valid external network.", n.ID)}
	case req.FIP.PortID != "" && s.ports[req.FIP.PortID] == nil:
		return answer{}, &apiError{status: http.StatusNotFound, kind: "PortNotFound", message: fmt.Sprintf("Port %s could not be found.", req.FIP.PortID)}
	}
	host := n.next
	n.next++
	f := &FloatingIP{ID: s.newID(), Address: fmt.Sprintf("%s.%d", n.prefix, host%250+2), Description: req.FIP.Description, NetworkID: n.ID,
		PortID: req.FIP.PortID, Created: s.opts.Now()}
	s.floatingIP[f.ID] = f
	return answer{status: http.StatusCreated, body: map[string]any{"floatingip": s.fipJSON(f)}}, nil
}

func (s *Server) listFloatingIPs(r *http.Request, _ []byte) (answer, *apiError) {
	var items []map[string]any
	for _, f := range s.floatingIP {
		items = append(items, s.fipJSON(f))
	}
	items = filter(r, items, "description", "port_id", "floating_network_id")
	page, next, err := s.page(r, items)
	if err != nil {
		return answer{}, err
	}
	return answer{status: http.StatusOK, body: map[string]any{"floatingips": page, "floatingips_links": s.links(next)}}, nil
}

func (s *Server) deleteFloatingIP(r *http.Request, _ []byte) (answer, *apiError) {
	f := s.floatingIP[r.PathValue("id")]
	if f == nil {
		return answer{}, &apiError{status: http.StatusNotFound, kind: "FloatingIPNotFound", message: fmt.Sprintf("Floating IP %s could not be found", r.PathValue("id"))}
	}
	delete(s.floatingIP, f.ID)
	return answer{status: http.StatusNoContent}, nil
}

// Inspection and seeding, for tests.

// Resources lists what is there of each Neutron kind strata makes, as
// "port NAME", "security-group NAME", "floating-ip ADDRESS", sorted.
func (s *Server) Resources() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, p := range s.ports {
		if !p.novaMade {
			out = append(out, "port "+p.Name)
		}
	}
	for _, g := range s.groups {
		out = append(out, "security-group "+g.Name)
	}
	for _, f := range s.floatingIP {
		out = append(out, "floating-ip "+f.Address)
	}
	slices.Sort(out)
	return out
}

// AddPort, AddSecurityGroup and AddFloatingIP make a resource at once, as
// if someone had made it, and return its ID.
func (s *Server) AddPort(name, description string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.networks {
		if !n.External {
			p := s.newPort(n, name, description)
			p.Created = created
			s.ports[p.ID] = p
			return p.ID
		}
	}
	return ""
}

func (s *Server) AddSecurityGroup(name, description string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := &SecurityGroup{ID: s.newID(), Name: name, Description: description, Created: created}
	s.groups[g.ID] = g
	return g.ID
}

func (s *Server) AddFloatingIP(description string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range s.networks {
		if n.External {
			host := n.next
			n.next++
			f := &FloatingIP{ID: s.newID(), Address: fmt.Sprintf("%s.%d", n.prefix, host%250+2), Description: description, NetworkID: n.ID, Created: created}
			s.floatingIP[f.ID] = f
			return f.ID
		}
	}
	return ""
}

// Exists says whether a resource of a kind ("server", "port",
// "security-group", "floating-ip", "image", "key") with the ID (a key
// pair's name) is there.
func (s *Server) Exists(kind, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch kind {
	case "server":
		return s.servers[id] != nil
	case "port":
		return s.ports[id] != nil
	case "security-group":
		return s.groups[id] != nil
	case "floating-ip":
		return s.floatingIP[id] != nil
	case "image":
		return s.images[id] != nil
	case "key":
		return s.keypairs[id] != nil
	}
	return false
}

// AddNetwork adds a network (with a subnet of its own) and returns its ID.
func (s *Server) AddNetwork(name string, external bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addNetwork(name, fmt.Sprintf("10.%d.0", len(s.networks)+10), external).ID
}

// FloatingIPs lists the floating IPs' addresses by the ports they are
// on (an empty key for those on none).
func (s *Server) FloatingIPs() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for _, f := range s.floatingIP {
		out[f.PortID] = f.Address
	}
	return out
}
