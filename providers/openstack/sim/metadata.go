package sim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/strata-os/strata/core/cloud/simmeta"
)

// Nova's metadata service as a booted server's guest reaches it at
// 169.254.169.254 (through Neutron's metadata proxy, which tells Nova
// which server asks): the OpenStack tree (/openstack/VERSION/meta_data.json,
// user_data, network_data.json, vendor_data.json, vendor_data2.json,
// password) and the EC2-compatible one (/VERSION/meta-data/…, user-data)
// that Afterburn and older agents read. Every version Nova lists answers
// as latest does; a server made without userdata has no user_data (404,
// which Ignition takes as "no config"); only GET and HEAD are answered.

// MetadataRequest is one request a guest made to its metadata service.
type MetadataRequest struct {
	Method, Path string
	Status       int
}

// MetadataLog returns the metadata requests a server's guest made.
func (s *Server) MetadataLog(id string) []MetadataRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.servers[id]; ok {
		return slices.Clone(in.metadataLog)
	}
	return nil
}

// The versions Nova's metadata service lists, oldest first.
var (
	openstackVersions = []string{"2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30", "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "latest"}
	ec2Versions       = []string{"1.0", "2007-01-19", "2007-03-01", "2007-08-29", "2007-10-10", "2007-12-15", "2008-02-01", "2008-09-01", "2009-04-04", "latest"}
)

func (s *Server) metadataHandler(id string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := s.serveMetadata(w, r, id)
		if s.opts.Logger != nil {
			s.opts.Logger.Info("metadata request", "instance", id, "method", r.Method, "path", r.URL.Path, "status", status)
		}
		s.mu.Lock()
		if in, ok := s.servers[id]; ok {
			in.metadataLog = append(in.metadataLog, MetadataRequest{r.Method, r.URL.Path, status})
		}
		s.mu.Unlock()
	})
}

func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request, id string) int {
	fail := func(status int, msg string) int {
		// Nova answers through webob: plain text.
		w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "%d %s\n\n%s\n\n   ", status, http.StatusText(status), msg)
		return status
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		return fail(http.StatusMethodNotAllowed, "The method specified is not allowed for this resource.")
	}
	s.mu.Lock()
	in, ok := s.servers[id]
	var tree simmeta.Tree
	if ok {
		tree = s.metadataTree(in)
	}
	s.mu.Unlock()
	if !ok {
		return fail(http.StatusNotFound, "The resource could not be found.")
	}
	p := strings.Trim(r.URL.Path, "/")
	// Every listed version answers as latest.
	parts := strings.SplitN(p, "/", 3)
	switch {
	case len(parts) >= 2 && parts[0] == "openstack" && slices.Contains(openstackVersions, parts[1]):
		parts[1] = "latest"
	case len(parts) >= 1 && slices.Contains(ec2Versions, parts[0]):
		parts[0] = "latest"
	}
	p = strings.Join(parts, "/")
	switch p {
	case "":
		return writeText(w, strings.Join(append(slices.Clone(ec2Versions), "openstack"), "\n"))
	case "openstack":
		return writeText(w, strings.Join(openstackVersions, "\n"))
	}
	v, ok := tree.Lookup(p, !strings.HasPrefix(p, "openstack"))
	if !ok {
		return fail(http.StatusNotFound, "The resource could not be found.")
	}
	if strings.HasSuffix(p, ".json") {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(v))
		return http.StatusOK
	}
	// The EC2 tree marks its subdirectories with a slash, the OpenStack
	// tree lists files only.
	return writeText(w, v)
}

func writeText(w http.ResponseWriter, body string) int {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.Write([]byte(body))
	return http.StatusOK
}

// metadataTree is every leaf the service answers for a server, by path
// without the leading slash. s.mu must be held.
func (s *Server) metadataTree(in *Instance) simmeta.Tree {
	hostname := strings.ToLower(in.Name) + ".novalocal"
	md := map[string]any{
		"uuid": in.ID, "name": in.Name, "hostname": hostname, "launch_index": 0, "availability_zone": "nova",
		"project_id": ProjectID, "meta": maps.Clone(in.Metadata), "devices": []any{},
	}
	tree := simmeta.Tree{
		"openstack/latest/vendor_data.json":            "{}",
		"openstack/latest/vendor_data2.json":           "{}",
		"openstack/latest/password":                    "",
		"latest/meta-data/instance-id":                 in.ID,
		"latest/meta-data/hostname":                    hostname,
		"latest/meta-data/local-hostname":              hostname,
		"latest/meta-data/public-hostname":             hostname,
		"latest/meta-data/ami-launch-index":            "0",
		"latest/meta-data/instance-type":               in.Flavor.Name,
		"latest/meta-data/placement/availability-zone": "nova",
		"latest/meta-data/reservation-id":              "r-" + in.ID[:8],
		"latest/meta-data/security-groups":             "default",
	}
	if in.KeyPair != nil {
		key := strings.TrimSpace(in.KeyPair.PublicKey)
		md["public_keys"] = map[string]string{in.KeyName: key}
		md["keys"] = []any{map[string]string{"name": in.KeyName, "type": "ssh", "data": key}}
		tree["latest/meta-data/public-keys/0/openssh-key"] = key
		// EC2 lists its keys as INDEX=NAME.
		tree["latest/meta-data/public-keys"] = "0=" + in.KeyName
	}
	if in.UserData != nil {
		tree["openstack/latest/user_data"] = string(in.UserData)
		tree["latest/user-data"] = string(in.UserData)
	}
	var links, networks []any
	for i, p := range in.Ports {
		link := "tap" + p.ID[:11]
		links = append(links, map[string]any{"id": link, "vif_id": p.ID, "type": "ovs", "mtu": 1450, "ethernet_mac_address": p.MAC})
		networks = append(networks, map[string]any{"id": fmt.Sprintf("network%d", i), "type": "ipv4_dhcp", "link": link, "network_id": p.NetworkID})
		if i == 0 {
			tree["latest/meta-data/local-ipv4"] = p.IP
			for _, fip := range s.floatingIP {
				if fip.PortID == p.ID {
					tree["latest/meta-data/public-ipv4"] = fip.Address
				}
			}
		}
	}
	nd, _ := json.Marshal(map[string]any{"links": links, "networks": networks, "services": []any{}})
	tree["openstack/latest/network_data.json"] = string(nd)
	mdj, _ := json.Marshal(md)
	tree["openstack/latest/meta_data.json"] = string(mdj)
	return tree
}
