package sim

import (
	"encoding/base64"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/strata-os/strata/providers/qemu/box"
)

// Instance is what the simulator holds of one Nova server.
type Instance struct {
	ID, Name    string
	Image       string // the image's ID
	Flavor      *flavor
	KeyName     string
	KeyPair     *KeyPair // as it was when the server was made
	UserData    []byte
	ConfigDrive bool
	Metadata    map[string]string
	Ports       []*Port
	Created     time.Time
	Console     string
	gets        int

	// Cloud-in-a-box (boot.go): the machine, its console once stopped,
	// whether its guest powered off, why it could not boot, what its
	// guest asked the metadata service.
	booted        *box.Instance
	bootedConsole *string
	shutoff       bool
	fault         string
	deleting      bool
	metadataLog   []MetadataRequest
}

// status is BUILD for the server's first reads, then ACTIVE; a booted
// server whose guest powered off is SHUTOFF, one the box could not start
// ERROR.
func (in *Instance) status(activeGets int) string {
	switch {
	case in.gets < activeGets:
		return "BUILD"
	case in.fault != "":
		return "ERROR"
	case in.shutoff:
		return "SHUTOFF"
	}
	return "ACTIVE"
}

// powerState is Nova's OS-EXT-STS:power_state: 1 running, 4 shut down.
func (in *Instance) powerState() int {
	if in.shutoff {
		return 4
	}
	return 1
}

type flavor struct {
	ID, Name         string
	RAM, VCPUs, Disk int
}

func (f *flavor) json(s *Server) map[string]any {
	return map[string]any{"id": f.ID, "name": f.Name, "ram": f.RAM, "vcpus": f.VCPUs, "disk": f.Disk, "swap": "", "OS-FLV-EXT-DATA:ephemeral": 0,
		"os-flavor-access:is_public": true, "rxtx_factor": 1.0, "links": []any{map[string]any{"rel": "self", "href": s.endpoint("/compute/v2.1/flavors/" + f.ID)}}}
}

func (s *Server) serverJSON(in *Instance) map[string]any {
	status := in.status(s.opts.ActiveGets)
	addresses := map[string]any{}
	if status == "ACTIVE" {
		for _, p := range in.Ports {
			net := s.networks[p.NetworkID]
			if net == nil {
				continue
			}
			addrs := []any{map[string]any{"version": 4, "addr": p.IP, "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": p.MAC}}
			for _, fip := range s.floatingIP {
				if fip.PortID == p.ID {
					addrs = append(addrs, map[string]any{"version": 4, "addr": fip.Address, "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": p.MAC})
				}
			}
			addresses[net.Name] = addrs
		}
	}
	configDrive := ""
	if in.ConfigDrive {
		configDrive = "True"
	}
	j := map[string]any{
		"id": in.ID, "name": in.Name, "status": status, "tenant_id": ProjectID, "user_id": "", "hostId": "",
		"created": timestamp(in.Created), "updated": timestamp(in.Created), "addresses": addresses,
		"image":    map[string]any{"id": in.Image, "links": []any{}},
		"flavor":   map[string]any{"id": in.Flavor.ID, "links": []any{}},
		"key_name": nilIfEmpty(in.KeyName), "metadata": in.Metadata, "config_drive": configDrive,
		"accessIPv4": "", "accessIPv6": "", "progress": 0, "OS-EXT-STS:power_state": in.powerState(), "OS-EXT-STS:vm_state": strings.ToLower(status),
		"links": []any{map[string]any{"rel": "self", "href": s.endpoint("/compute/v2.1/servers/" + in.ID)}},
		// A server that does not boot in a box is only made: clients skip SSH.
		"strata:simulated": in.booted == nil,
	}
	if status == "ERROR" {
		j["fault"] = map[string]any{"code": 500, "message": in.fault, "created": timestamp(in.Created)}
	}
	return j
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// userDataMax is Nova's limit on user_data, base64-encoded.
const userDataMax = 65535

type serverCreate struct {
	Server struct {
		Name        string            `json:"name"`
		ImageRef    string            `json:"imageRef"`
		FlavorRef   string            `json:"flavorRef"`
		KeyName     string            `json:"key_name"`
		UserData    string            `json:"user_data"`
		ConfigDrive *bool             `json:"config_drive"`
		Metadata    map[string]string `json:"metadata"`
		Networks    []struct {
			UUID string `json:"uuid"`
			Port string `json:"port"`
		} `json:"networks"`
	} `json:"server"`
}

func (s *Server) createServer(r *http.Request, body []byte) (answer, *apiError) {
	var req serverCreate
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	sv := req.Server
	in := &Instance{ID: s.newID(), Name: sv.Name, Image: sv.ImageRef, KeyName: sv.KeyName, Metadata: map[string]string{}, Created: s.opts.Now()}
	switch {
	case sv.Name == "":
		return answer{}, badRequest("Invalid input for field/attribute server. Value: None. 'name' is a required property")
	case len(sv.UserData) > userDataMax:
		return answer{}, badRequest("Invalid input for field/attribute user_data. Value: is too long (%d bytes; Nova takes %d)", len(sv.UserData), userDataMax)
	case len(sv.Metadata) > 128:
		return answer{}, errorf(http.StatusForbidden, "Quota exceeded for metadata_items: Requested %d, but already used 0 of 128 metadata_items", len(sv.Metadata))
	}
	if sv.UserData != "" {
		ud, err := base64.StdEncoding.DecodeString(sv.UserData)
		if err != nil {
			return answer{}, badRequest("User data needs to be valid base 64.")
		}
		in.UserData = ud
	}
	for k, v := range sv.Metadata {
		if len(k) > 255 || len(v) > 255 || k == "" {
			return answer{}, badRequest("Invalid input for field/attribute metadata: keys and values are 1-255 characters")
		}
		in.Metadata[k] = v
	}
	if img := s.images[sv.ImageRef]; img == nil || img.Status != "active" {
		return answer{}, badRequest("Image %s could not be found.", sv.ImageRef)
	}
	in.Flavor = s.flavor(sv.FlavorRef)
	if in.Flavor == nil {
		return answer{}, badRequest("Flavor %s could not be found.", sv.FlavorRef)
	}
	if sv.KeyName != "" {
		if in.KeyPair = s.keypairs[sv.KeyName]; in.KeyPair == nil {
			return answer{}, badRequest("Invalid key_name provided.")
		}
	}
	if sv.ConfigDrive != nil {
		in.ConfigDrive = *sv.ConfigDrive
	}
	if len(sv.Networks) == 0 {
		return answer{}, errorf(http.StatusConflict, "Multiple possible networks found, use a Network ID to be more specific.")
	}
	for _, n := range sv.Networks {
		var p *Port
		switch {
		case n.Port != "":
			if p = s.ports[n.Port]; p == nil {
				return answer{}, badRequest("Port id %s could not be found.", n.Port)
			}
			if p.DeviceID != "" {
				return answer{}, errorf(http.StatusConflict, "Port %s is still in use.", p.ID)
			}
		case s.networks[n.UUID] != nil:
			p = s.newPort(s.networks[n.UUID], "", "")
			p.novaMade = true
		default:
			return answer{}, badRequest("Network %s could not be found.", n.UUID)
		}
		in.Ports = append(in.Ports, p)
	}
	for _, p := range in.Ports {
		p.DeviceID, p.DeviceOwner, p.Status = in.ID, "compute:nova", "ACTIVE"
		s.ports[p.ID] = p
	}
	s.servers[in.ID] = in
	s.launched = append(s.launched, in.ID)
	s.boot(in)
	return answer{status: http.StatusAccepted, body: map[string]any{"server": map[string]any{
		"id": in.ID, "OS-DCF:diskConfig": "MANUAL", "adminPass": "simulated", "security_groups": []any{map[string]any{"name": "default"}},
		"links": []any{map[string]any{"rel": "self", "href": s.endpoint("/compute/v2.1/servers/" + in.ID)}},
	}}}, nil
}

func (s *Server) flavor(ref string) *flavor {
	for _, f := range s.flavors {
		if f.ID == ref {
			return f
		}
	}
	return nil
}

func (s *Server) server(r *http.Request) (*Instance, *apiError) {
	in := s.servers[r.PathValue("id")]
	if in == nil {
		return nil, notFound("Instance %s could not be found.", r.PathValue("id"))
	}
	return in, nil
}

// setServerMetadatum is Nova's PUT /servers/{id}/metadata/{key}: the body
// holds that one key, whose value is set (made if new, within the quota).
func (s *Server) setServerMetadatum(r *http.Request, body []byte) (answer, *apiError) {
	in, aerr := s.server(r)
	if aerr != nil {
		return answer{}, aerr
	}
	var req struct {
		Meta map[string]string `json:"meta"`
	}
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	key := r.PathValue("key")
	v, ok := req.Meta[key]
	switch {
	case len(req.Meta) > 1:
		return answer{}, badRequest("Request body contains too many items")
	case !ok:
		return answer{}, badRequest("Request body and URI mismatch")
	case len(key) > 255 || len(v) > 255:
		return answer{}, badRequest("Invalid input for field/attribute meta: keys and values are 1-255 characters")
	}
	if _, had := in.Metadata[key]; !had && len(in.Metadata) >= 128 {
		return answer{}, errorf(http.StatusForbidden, "Quota exceeded for metadata_items: Requested 1, but already used %d of 128 metadata_items", len(in.Metadata))
	}
	in.Metadata[key] = v
	return answer{status: http.StatusOK, body: map[string]any{"meta": map[string]string{key: v}}}, nil
}

func (s *Server) getServer(r *http.Request, _ []byte) (answer, *apiError) {
	in, err := s.server(r)
	if err != nil {
		return answer{}, err
	}
	j := s.serverJSON(in)
	in.gets++
	return answer{status: http.StatusOK, body: map[string]any{"server": j}}, nil
}

// listServers lists servers in detail, paged by marker, filtered by name
// (a regular expression in Nova; a substring here).
func (s *Server) listServers(r *http.Request, _ []byte) (answer, *apiError) {
	name := r.URL.Query().Get("name")
	var items []map[string]any
	for _, in := range s.servers {
		if name == "" || strings.Contains(in.Name, name) {
			items = append(items, s.serverJSON(in))
		}
	}
	page, next, err := s.page(r, items)
	if err != nil {
		return answer{}, err
	}
	return answer{status: http.StatusOK, body: map[string]any{"servers": page, "servers_links": s.links(next)}}, nil
}

// deleteServer deletes a server at once (Nova takes a while; a deleted
// server is gone from lists here). Ports Nova made go with it; ports the
// caller made stay, unbound, as in Nova.
func (s *Server) deleteServer(r *http.Request, _ []byte) (answer, *apiError) {
	in, err := s.server(r)
	if err != nil {
		return answer{}, err
	}
	for _, p := range in.Ports {
		if p.novaMade {
			s.deletePortLocked(p)
			continue
		}
		p.DeviceID, p.DeviceOwner, p.Status = "", "", "DOWN"
	}
	in.deleting = true
	s.stopBooted(in)
	delete(s.servers, in.ID)
	return answer{status: http.StatusNoContent}, nil
}

// serverAction answers os-getConsoleOutput, the one action strata uses.
func (s *Server) serverAction(r *http.Request, body []byte) (answer, *apiError) {
	in, aerr := s.server(r)
	if aerr != nil {
		return answer{}, aerr
	}
	var req map[string]struct {
		Length *int `json:"length"`
	}
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	opt, ok := req["os-getConsoleOutput"]
	if !ok || len(req) != 1 {
		return answer{}, badRequest("The simulator answers the os-getConsoleOutput action only, not %v.", slices.Collect(maps.Keys(req)))
	}
	out := in.consoleOf()
	if opt.Length != nil && *opt.Length >= 0 {
		lines := strings.SplitAfter(out, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		out = strings.Join(lines[max(len(lines)-*opt.Length, 0):], "")
	}
	return answer{status: http.StatusOK, body: map[string]any{"output": out}}, nil
}

func (s *Server) listFlavors(r *http.Request, _ []byte) (answer, *apiError) {
	var items []map[string]any
	for _, f := range s.flavors {
		items = append(items, f.json(s))
	}
	page, next, err := s.page(r, items)
	if err != nil {
		return answer{}, err
	}
	return answer{status: http.StatusOK, body: map[string]any{"flavors": page, "flavors_links": s.links(next)}}, nil
}

func (s *Server) getFlavor(r *http.Request, _ []byte) (answer, *apiError) {
	f := s.flavor(r.PathValue("id"))
	if f == nil {
		return answer{}, notFound("Flavor %s could not be found.", r.PathValue("id"))
	}
	return answer{status: http.StatusOK, body: map[string]any{"flavor": f.json(s)}}, nil
}

// Inspection, for tests.

// Info is what a server was made with.
type Info struct {
	UserData    []byte
	SSHKeys     []string
	Metadata    map[string]string
	ConfigDrive bool
	Ports       []string
}

// Instance returns what the server with the ID was made with, if it is
// there.
func (s *Server) Instance(id string) (Info, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.servers[id]
	if in == nil {
		return Info{}, false
	}
	info := Info{UserData: slices.Clone(in.UserData), Metadata: maps.Clone(in.Metadata), ConfigDrive: in.ConfigDrive}
	if in.KeyPair != nil {
		info.SSHKeys = []string{strings.TrimSpace(in.KeyPair.PublicKey)}
	}
	for _, p := range in.Ports {
		info.Ports = append(info.Ports, p.ID)
	}
	return info, true
}

// Launched lists the IDs of every server made, in order, gone or not.
func (s *Server) Launched() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.launched)
}

// Servers lists the names of the servers there, sorted.
func (s *Server) Servers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, in := range s.servers {
		out = append(out, in.Name)
	}
	slices.Sort(out)
	return out
}

// SetConsole sets what a server's console log holds.
func (s *Server) SetConsole(id, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.servers[id]; in != nil {
		in.Console = text
	}
}

// AddServer makes an active server at once on the private network, as
// if someone had made it before the test, and returns its ID.
func (s *Server) AddServer(name string, metadata map[string]string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := &Instance{ID: s.newID(), Name: name, Flavor: s.flavors[0], Metadata: maps.Clone(metadata), Created: created, gets: s.opts.ActiveGets}
	for _, img := range s.images {
		in.Image = img.ID
	}
	if in.Metadata == nil {
		in.Metadata = map[string]string{}
	}
	for _, n := range s.networks {
		if !n.External {
			p := s.newPort(n, "", "")
			p.novaMade, p.DeviceID, p.DeviceOwner = true, in.ID, "compute:nova"
			s.ports[p.ID] = p
			in.Ports = append(in.Ports, p)
		}
	}
	s.servers[in.ID] = in
	return in.ID
}

// ServerExists says whether a server ID is there.
func (s *Server) ServerExists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.servers[id] != nil
}
